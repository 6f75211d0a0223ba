"""Case reads scoped to the person asking. Each role sees its own slice:

- applicant users: their enterprises' requests;
- coordinators: requests with an item their unit is responsible for, or located in their township/park;
- agents: requests with an item assigned to them; clerks: requests taken at their service centre;
- section reviewers: requests with an item of their department; supervisors: their jurisdictions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import WithAnnotations

from daiban.catalogue.models import ApprovalItem
from daiban.common.audit import AuditVerb
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role, RoleAssignment, Unit, User
from daiban.organizations.selectors import (
    coordinator_units,
    is_platform_superuser,
    jurisdictions_where,
    person_id,
    role_holders,
    units_where,
)
from daiban.projects.models import ApplicantRepresentative

from .models import (
    DONE_STATES,
    OPEN_STATES,
    CaseItem,
    ChaseRecord,
    ItemMaterial,
    ServiceRequest,
    TimelineEntry,
)
from .permissions import is_representative, locality_arranges_agents


def _units(user: Viewer, role: str) -> set[int]:
    return units_where(user, role)


def _ids(parts: Sequence[QuerySet[Any]]) -> QuerySet[Any]:
    """One column of request ids: the parts' UNION (each unordered, or the UNION carries their ORDER BY)."""
    first, *rest = [part.order_by() for part in parts]
    return first.union(*rest) if rest else first


def _coordinated(units: set[int]) -> list[QuerySet[Any]]:
    return [
        ServiceRequest.objects.filter(locality_id__in=units).values("pk"),
        CaseItem.objects.filter(responsible_unit_id__in=units).values("request_id"),
    ]


def touching_units(unit_ids: Iterable[int]) -> Q:
    """The one coordinator scope: requests located in one of the units (township or park) or with an item
    one of them is responsible for. Written as `id IN (… UNION …)`: each half reads its own index
    (request locality, item responsible unit) and the planner sees a semi-join whose size it can estimate.
    An OR of the two conditions made it guess three quarters of all requests, scan the whole request table
    for every count and cross the JIT threshold."""
    return Q(pk__in=_ids(_coordinated(set(unit_ids))))


def items_touching_units(unit_ids: Iterable[int]) -> Q:
    """The same scope for items: the unit is responsible for the item or is its request's locality."""
    units = set(unit_ids)
    return Q(responsible_unit_id__in=units) | Q(request__locality_id__in=units)


def requests_visible_to(user: Viewer) -> QuerySet[ServiceRequest]:
    """Every role's slice as one set of ids, `id IN (… UNION …)`, each part answered from its own index
    (representative's applicants, locality, an item's responsible unit, agent or catalogue entry, the
    window's centre); only a supervisor's jurisdictions stay a plain condition beside it, being the
    widest. An OR of several subqueries instead leaves PostgreSQL unable to estimate the rows (it guessed
    22,500 of 30,000 for a coordinator who sees 18) and so to scan every request, or every case item, to
    count them."""
    if not user.is_authenticated:
        return ServiceRequest.objects.none()
    if is_platform_superuser(user):
        return ServiceRequest.objects.all()
    uid = person_id(user)
    represented = ApplicantRepresentative.objects.filter(user_id=uid).values("applicant_id")
    parts: list[QuerySet[Any]] = [ServiceRequest.objects.filter(applicant_id__in=represented).values("pk")]
    coordinated = _units(user, Role.COORDINATOR)
    if coordinated:
        parts += _coordinated(coordinated)
    if _units(user, Role.AGENT):
        parts.append(CaseItem.objects.filter(agent_id=uid).values("request_id"))
    clerk_centres = _units(user, Role.CLERK)
    if clerk_centres:
        parts.append(ServiceRequest.objects.filter(window__service_centre_id__in=clerk_centres).values("pk"))
    reviewed = _units(user, Role.SECTION_REVIEWER)
    if reviewed:  # the departments' catalogue entries as constants, which the item statistics know
        entries = ApprovalItem.objects.filter(department_id__in=reviewed).values_list("pk", flat=True)
        parts.append(CaseItem.objects.filter(approval_item_id__in=list(entries)).values("request_id"))
    condition = Q(pk__in=_ids(parts))
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    if supervised:  # the widest scope first: the planner need not look at the other parts for these rows
        condition = Q(jurisdiction_id__in=supervised) | condition
    return ServiceRequest.objects.filter(condition)


def with_listing(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """What a list row shows besides the request; the item counts come per page (`count_items`)."""
    return qs.select_related("project", "applicant", "jurisdiction", "locality")


def count_items(rows: Iterable[ServiceRequest]) -> list[ServiceRequest]:
    """Set `item_count` and `unassigned_count` on the rows shown, in one grouped query over their items:
    annotating the whole visible queryset instead makes the database count the items of every request
    the person may see (the whole city, for a city supervisor) to show twenty-five."""
    rows = list(rows)
    counts = {
        row["request_id"]: row
        for row in CaseItem.objects.filter(request_id__in=[r.pk for r in rows])
        .values("request_id")
        .annotate(
            n=Count("id"),
            unassigned=Count(  # a declined item gets no agent (ADR 0022)
                "id", filter=Q(agent__isnull=True) & ~Q(acceptance=CaseItem.Acceptance.DECLINED)
            ),
        )
        .order_by()
    }
    for r in rows:
        found = counts.get(r.pk, {})
        r.item_count = found.get("n", 0)  # type: ignore[attr-defined]
        r.unassigned_count = found.get("unassigned", 0)  # type: ignore[attr-defined]
    return rows


def agent_units_for(item: CaseItem, request: ServiceRequest) -> set[int]:
    units = {item.responsible_unit_id}
    if locality_arranges_agents(request):
        units.add(request.locality_id)
    return units


class AgentLoad(TypedDict):
    load: int  # open items assigned


def eligible_agents(unit_ids: set[int]) -> QuerySet[WithAnnotations[User, AgentLoad]]:
    """Agents of those units, each with its current load (open items assigned)."""
    agent_ids = RoleAssignment.objects.filter(
        role=Role.AGENT, unit_id__in=unit_ids, revoked_at__isnull=True
    ).values("user_id")
    return (
        User.objects.filter(id__in=agent_ids, is_active=True)
        .annotate(load=Count("case_items", filter=Q(case_items__request__state__in=OPEN_STATES)))
        .order_by("load", "full_name", "id")
    )


def coordinators_for(request: ServiceRequest) -> QuerySet[User]:
    """Who hears of a new request: the responsible units' coordinators and the locality's (co-responsible,
    or the local contact)."""
    unit_ids = set(request.items.values_list("responsible_unit_id", flat=True))
    unit_ids.add(request.locality_id)
    return role_holders(Role.COORDINATOR, unit_id__in=unit_ids)


def worklist(user: Viewer) -> QuerySet[CaseItem]:
    """An agent's open items."""
    return (
        CaseItem.objects.filter(agent_id=person_id(user), request__state__in=OPEN_STATES)
        .select_related(
            "request__project",
            "request__applicant",
            "request__jurisdiction",
            "approval_item",
            "responsible_unit",
        )
        .order_by("request__submitted_at", "position")
    )


def dispatch_queue(user: Viewer) -> QuerySet[ServiceRequest]:
    """Requests a coordinator must act on: to accept, or with items of theirs still without an agent."""
    units = coordinator_units(user)
    if not units:
        return ServiceRequest.objects.none()
    waiting = [ServiceRequest.State.SUBMITTED, ServiceRequest.State.ACCEPTED]
    return with_listing(ServiceRequest.objects.filter(touching_units(units), state__in=waiting)).order_by(
        "submitted_at", "id"
    )


def access_request(
    user: Viewer, pk: int, *, related: Sequence[str] = (), prefetch: Sequence[str | Prefetch[Any]] = ()
) -> ServiceRequest:
    """Fetch a request and authorise it in one call: 404 unless `user` may see it. `related` and `prefetch`
    are what the page reads besides; the scope always comes from `requests_visible_to`."""
    visible = requests_visible_to(user).select_related(*related).prefetch_related(*prefetch)
    return get_object_or_404(visible, pk=pk)


def access_item(user: Viewer, request_pk: int, item_pk: int) -> CaseItem:
    """An item of a request the user may see, with what its page and steps read (one call, 404 otherwise)."""
    return get_object_or_404(
        CaseItem.objects.filter(request__in=requests_visible_to(user).filter(pk=request_pk))
        .select_related(
            "request__jurisdiction",
            "request__project",
            "request__applicant",
            "result_document",
            "approval_item__department",
            "approval_item__version",
            "responsible_unit",
            "agent",
            "refusal_notice__receipt",
        )
        .prefetch_related(
            "stops",
            Prefetch(
                "checklist",
                queryset=ItemMaterial.objects.select_related("material").order_by("material__position"),
            ),
        ),
        pk=item_pk,
    )


def item_history(item: CaseItem) -> QuerySet[TimelineEntry]:
    """The item's part of its request's timeline, oldest first."""
    return TimelineEntry.objects.filter(case_item=item).select_related("by").order_by("at", "id")


def refusal_reason(item: CaseItem) -> str:
    """The reviewer's reason for refusing the item, as the workflow core wrote it into the item's history
    (the refusal's timeline entry: "<item>：<reason>"); empty if the item was not refused."""
    entry = (
        TimelineEntry.objects.filter(case_item=item, verb=AuditVerb.ITEM_REFUSED)
        .order_by("-at", "-id")
        .first()
    )
    if entry is None:
        return ""
    prefix = f"{item.approval_item.name}："
    return entry.text.removeprefix(prefix)


def chases_visible_to(user: Viewer, item: CaseItem) -> QuerySet[ChaseRecord]:
    """An item's chase records for this viewer: the applicant sees the progress reports shared with it,
    never the staff's working notes; staff who may see the item see them all."""
    chases = ChaseRecord.objects.filter(case_item=item).select_related("department", "by")
    if is_representative(user, item.request):
        chases = chases.filter(shared_with_applicant=True)
    return chases


class Stage(TypedDict):
    label: str
    status: str  # "done", "current", "todo" or "stopped"
    note: str


def request_progress(
    request: ServiceRequest, items: Sequence[CaseItem], *, waiting_for: str = ""
) -> list[Stage]:
    """The request page's stepper (提交申请 → 上门受理 → 跟踪催办 → 统一送达 → 事后评价): where the
    service stands, read from the request's state and its items' states. `waiting_for` is why the
    request cannot close yet (容缺待补), shown at delivery."""
    S, I = ServiceRequest.State, CaseItem.State  # noqa: E741 - as in the graphs' tables
    labels = [
        _("Request submitted"),
        _("On-site acceptance"),
        _("Tracking and chasing"),
        _("Unified delivery"),
        _("Evaluation"),
    ]
    states = {item.state for item in items}
    if request.state in {S.DECLINED, S.WITHDRAWN}:
        return [
            Stage(label=str(labels[0]), status="done", note=""),
            Stage(label=str(labels[1]), status="stopped", note=request.get_state_display()),
            *(Stage(label=str(label), status="todo", note="") for label in labels[2:]),
        ]
    if request.state == S.SUBMITTED:
        current = 1
    elif request.state == S.COMPLETED:
        current = 4
    elif (states and states <= DONE_STATES) or states & {I.APPROVED, I.PICKED_UP, I.DELIVERED, I.REFUSED}:
        current = 3
    elif states - {I.PLANNED, I.COLLECTING, I.READY}:
        current = 2
    else:
        current = 1
    stages = []
    for index, label in enumerate(labels):
        status = "done" if index < current else "current" if index == current else "todo"
        note = waiting_for if index == 3 and status == "current" else ""
        stages.append(Stage(label=str(label), status=status, note=note))
    return stages


def no_agents_reason(item: CaseItem, request: ServiceRequest) -> str:
    """Why an item's assignment offers nobody: the units whose agents may handle it have none."""
    units = Unit.objects.filter(pk__in=agent_units_for(item, request)).order_by("kind", "name")
    names = "、".join(units.values_list("name", flat=True))
    message = _("No agent can be assigned: %(units)s have no agent. The administrator appoints one.")
    return str(message) % {"units": names}


_REVIEW_STATES = (CaseItem.State.FILED, CaseItem.State.UNDER_REVIEW, CaseItem.State.RESUBMITTED)


def unstaffed_items(items: QuerySet[CaseItem]) -> QuerySet[CaseItem]:
    """无人处理: open items of requests being handled that nobody can take further — no agent assigned
    and none in the units that may handle it, or waiting for review in a section without a reviewer."""
    live = RoleAssignment.objects.filter(revoked_at__isnull=True, user__is_active=True)
    agent_here = live.filter(role=Role.AGENT).filter(
        Q(unit_id=OuterRef("responsible_unit_id"))
        | Q(unit_id=OuterRef("request__locality_id"), unit__kind=Unit.Kind.TOWNSHIP)
    )
    reviewers = live.filter(role=Role.SECTION_REVIEWER, unit_id=OuterRef("approval_item__department_id"))
    no_reviewer = Q(approval_item__section__isnull=True, no_department_reviewer=True) | Q(
        approval_item__section__isnull=False, no_section_reviewer=True
    )
    return (
        items.filter(request__state__in=(ServiceRequest.State.ACCEPTED, ServiceRequest.State.DISPATCHED))
        .exclude(state__in=DONE_STATES)
        .annotate(
            no_agent=~Exists(agent_here),
            no_department_reviewer=~Exists(reviewers),
            no_section_reviewer=~Exists(reviewers.filter(section_id=OuterRef("approval_item__section_id"))),
        )
        .filter(Q(agent__isnull=True, no_agent=True) | (Q(state__in=_REVIEW_STATES) & no_reviewer))
        .select_related(
            "request__project", "request__jurisdiction", "approval_item__department", "responsible_unit"
        )
        .order_by("request__submitted_at", "position", "id")
    )


def unstaffed_for(user: Viewer) -> QuerySet[CaseItem]:
    """The 无人处理 items in a coordinator's scope (their units' items, or located in their township)."""
    units = coordinator_units(user)
    if not units:
        return CaseItem.objects.none()
    # The requests being handled in scope first, as ids: a handful at any time, however long the history.
    # As a subquery PostgreSQL tested every open item of the city against the unstaffed conditions before
    # the scope (26,563 rows for 16, 725 ms at --scale 0.3); on the ids it reads only their items (14 ms).
    handled = ServiceRequest.objects.filter(touching_units(units)).filter(
        state__in=(ServiceRequest.State.ACCEPTED, ServiceRequest.State.DISPATCHED)
    )
    return unstaffed_items(CaseItem.objects.filter(request_id__in=list(handled.values_list("pk", flat=True))))
