from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from daiban.catalogue.models import ApprovalItem
from daiban.common.access import public, signed_in
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Role, RoleAssignment
from daiban.organizations.permissions import ROLE_HELP
from daiban.organizations.selectors import active_roles, staff_jurisdiction_ids
from daiban.projects.selectors import projects_visible_to, represented_applicants
from daiban.workdays.selectors import missing_next_year


@public
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "portal/landing.html")


@dataclass
class RoleCard:
    assignment: RoleAssignment
    help: Any
    facts: dict[str, Any] = field(default_factory=dict)


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
    cards = [RoleCard(assignment=a, help=ROLE_HELP[Role(a.role)]) for a in roles]
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
