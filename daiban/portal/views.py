import hmac
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from prometheus_client import CONTENT_TYPE_LATEST

from daiban.catalogue.models import ApprovalItem
from daiban.catalogue.selectors import catalogue_jurisdictions
from daiban.common.access import Rule, permission_rule, public, signed_in
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Role, RoleAssignment
from daiban.organizations.permissions import ROLE_HELP
from daiban.organizations.selectors import (
    active_roles,
    is_platform_superuser,
    public_service_zones,
    staff_jurisdiction_ids,
)
from daiban.projects.selectors import projects_visible_to, represented_applicants
from daiban.workdays.selectors import missing_next_year

from .metrics import current_figures, prometheus_text
from .queues import Tile, role_queues


@public
def landing(request: HttpRequest) -> HttpResponse:
    """The public front page: the visitor picks a district or county (`?j=<division code>`) and sees where
    its 帮代办专区 is, how the service runs and that jurisdiction's catalogue and FAQ. Signed-in people have
    their queues on their home page instead. An unknown code answers 404 with the picker, so a mistyped
    link still leads somewhere."""
    if request.user.is_authenticated:
        return redirect("home")
    jurisdictions = list(catalogue_jurisdictions())
    code = request.GET.get("j", "")
    chosen = next((j for j in jurisdictions if j.code == code), None)
    unknown = bool(code) and chosen is None
    if not code and len(jurisdictions) == 1:
        chosen = jurisdictions[0]
    zones = list(public_service_zones(chosen)) if chosen else []
    return render(
        request,
        "portal/landing.html",
        {
            "jurisdictions": jurisdictions,
            "chosen": chosen,
            "unknown": unknown,
            "zones": zones,
            "flow": SERVICE_FLOW,
        },
        status=404 if unknown else 200,
    )


# The five steps every request runs through, as the landing page explains them (the request page's stepper,
# cases.selectors.request_progress, uses the same labels).
SERVICE_FLOW = [
    (_("Request submitted"), _("Apply online or at the window of the service zone, free of charge.")),
    (_("On-site acceptance"), _("An agent visits you, checks the materials and accepts them once.")),
    (_("Tracking and chasing"), _("The agent follows each approval item and chases it before its deadline.")),
    (_("Unified delivery"), _("Certificates and results are delivered to you together.")),
    (_("Evaluation"), _("You rate the service; every complaint is followed up.")),
]


@dataclass
class RoleCard:
    assignment: RoleAssignment
    help: Any
    facts: dict[str, Any] = field(default_factory=dict)
    tiles: list[Tile] = field(default_factory=list)  # the role's work queues, on its first card only


@signed_in
def home(request: AuthenticatedRequest) -> HttpResponse:
    """One page per person: a card for each role held (a person may hold several) and the enterprise view."""
    roles = active_roles(request.user)
    jurisdiction_ids = staff_jurisdiction_ids(request.user)
    stats: dict[str, int] = {}
    if jurisdiction_ids:
        stats = projects_visible_to(request.user).aggregate(
            projects=Count("id"), park_projects=Count("id", filter=Q(location__kind="park"))
        )
        stats["items"] = ApprovalItem.objects.filter(
            jurisdiction_id__in=jurisdiction_ids, is_active=True
        ).count()
    queues = role_queues(request.user, timezone.localdate())
    cards = [
        RoleCard(assignment=a, help=ROLE_HELP[Role(a.role)], tiles=queues.pop(a.role, [])) for a in roles
    ]
    applicants = list(represented_applicants(request.user).annotate(project_count=Count("projects")))
    keeps_calendar = request.user.is_superuser or any(a.role == Role.ADMINISTRATOR for a in roles)
    return render(
        request,
        "portal/home.html",
        {
            "cards": cards,
            "applicants": applicants,
            "stats": stats,
            "is_superuser": request.user.is_superuser,
            "calendar_missing_year": missing_next_year(timezone.localdate()) if keeps_calendar else None,
        },
    )


def _is_operator(request: HttpRequest) -> bool:
    return is_platform_superuser(request.user)


# The operator runs the platform for every county on it: the platform superuser, not a county's administrator.
OPERATORS = Rule("the platform superuser (the operator)", _is_operator)


@permission_rule(OPERATORS)
def operations_status(request: AuthenticatedRequest) -> HttpResponse:
    """运行状态: the figures /metrics gives Prometheus, for the operator without one."""
    return render(request, "portal/operations.html", {"figures": current_figures(now=timezone.now())})


@public
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text, for a scraper that presents `Authorization: Bearer <DAIBAN_METRICS_TOKEN>`; the proxy
    also keeps /metrics to the internal network (deploy/nginx/daiban.conf). Without a configured token the
    endpoint does not exist (404), so it is never open by default."""
    token = settings.DAIBAN_METRICS_TOKEN
    if not token:
        raise Http404
    offered = request.headers.get("Authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(
        prometheus_text(current_figures(now=timezone.now())), content_type=CONTENT_TYPE_LATEST
    )
