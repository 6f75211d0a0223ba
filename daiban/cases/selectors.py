"""Case reads scoped to the person asking. Each role sees its own slice:

- applicant users: their enterprises' requests;
- coordinators: requests with an item their unit is responsible for, or located in their township/park;
- agents: requests with an item assigned to them; clerks: requests taken at their service centre;
- section reviewers: requests with an item of their department; supervisors: their jurisdictions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from daiban.organizations.models import Role, RoleAssignment, Unit, User
from daiban.organizations.selectors import (
    coordinator_units,
    is_platform_superuser,
    jurisdictions_where,
    person_id,
    role_holders,
    units_where,
)
from daiban.projects.models import Applicant

from .models import OPEN_STATES, CaseItem, ChaseRecord, ItemMaterial, ServiceRequest, TimelineEntry
from .permissions import is_representative


def _units(user: object, role: str) -> set[int]:
    return units_where(user, role)


def touching_units(unit_ids: Iterable[int]) -> Q:
    """The one coordinator scope: requests located in one of the units (township or park) or with an item
    one of them is responsible for."""
    units = set(unit_ids)
    return Q(locality_id__in=units) | Q(
        id__in=CaseItem.objects.filter(responsible_unit_id__in=units).values("request_id")
    )


def items_touching_units(unit_ids: Iterable[int]) -> Q:
    """The same scope for items: the unit is responsible for the item or is its request's locality."""
    units = set(unit_ids)
    return Q(responsible_unit_id__in=units) | Q(request__locality_id__in=units)


def requests_visible_to(user: object) -> QuerySet[ServiceRequest]:
    if not getattr(user, "is_authenticated", False):
        return ServiceRequest.objects.none()
    if is_platform_superuser(user):
        return ServiceRequest.objects.all()
    uid = person_id(user)
    condition = Q(applicant__in=Applicant.objects.filter(representatives__user_id=uid).values("id"))
    coordinated = _units(user, Role.COORDINATOR)
    if coordinated:
        condition |= touching_units(coordinated)
    if _units(user, Role.AGENT):
        condition |= Q(id__in=CaseItem.objects.filter(agent_id=uid).values("request_id"))
    clerk_centres = _units(user, Role.CLERK)
    if clerk_centres:
        condition |= Q(window__service_centre_id__in=clerk_centres)
    reviewed = _units(user, Role.SECTION_REVIEWER)
    if reviewed:
        condition |= Q(
            id__in=CaseItem.objects.filter(approval_item__department_id__in=reviewed).values("request_id")
        )
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    if supervised:
        condition |= Q(jurisdiction_id__in=supervised)
    return ServiceRequest.objects.filter(condition)


def with_listing(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return qs.select_related("project", "applicant", "jurisdiction", "locality").annotate(
        item_count=Count("items", distinct=True),
        unassigned_count=Count("items", filter=Q(items__agent__isnull=True), distinct=True),
    )


def agent_units_for(item: CaseItem, request: ServiceRequest) -> set[int]:
    units = {item.responsible_unit_id}
    if request.locality.kind == Unit.Kind.TOWNSHIP:
        units.add(request.locality_id)
    return units


def eligible_agents(unit_ids: set[int]) -> QuerySet[User]:
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
    unit_ids = set(request.items.values_list("responsible_unit_id", flat=True))
    if request.locality.kind == Unit.Kind.TOWNSHIP or not unit_ids:
        unit_ids.add(request.locality_id)
    return role_holders(Role.COORDINATOR, unit_id__in=unit_ids)


def worklist(user: object) -> QuerySet[CaseItem]:
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


def dispatch_queue(user: object) -> QuerySet[ServiceRequest]:
    """Requests a coordinator must act on: to accept, or with items of theirs still without an agent."""
    units = coordinator_units(user)
    if not units:
        return ServiceRequest.objects.none()
    waiting = [ServiceRequest.State.SUBMITTED, ServiceRequest.State.ACCEPTED]
    return with_listing(ServiceRequest.objects.filter(touching_units(units), state__in=waiting)).order_by(
        "submitted_at", "id"
    )


def access_request(
    user: object, pk: int, *, related: Sequence[str] = (), prefetch: Sequence[str | Prefetch[Any]] = ()
) -> ServiceRequest:
    """Fetch a request and authorise it in one call: 404 unless `user` may see it. `related` and `prefetch`
    are what the page reads besides; the scope always comes from `requests_visible_to`."""
    visible = requests_visible_to(user).select_related(*related).prefetch_related(*prefetch)
    return get_object_or_404(visible, pk=pk)


def access_item(user: object, request_pk: int, item_pk: int) -> CaseItem:
    """An item of a request the user may see, with what its page and steps read (one call, 404 otherwise)."""
    return get_object_or_404(
        CaseItem.objects.filter(request__in=requests_visible_to(user).filter(pk=request_pk))
        .select_related(
            "request__jurisdiction",
            "request__project",
            "request__applicant",
            "approval_item__result_document",
            "approval_item__department",
            "responsible_unit",
            "agent",
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


def chases_visible_to(user: object, item: CaseItem) -> QuerySet[ChaseRecord]:
    """An item's chase records for this viewer: the applicant sees the progress reports shared with it,
    never the staff's working notes; staff who may see the item see them all."""
    chases = ChaseRecord.objects.filter(case_item=item).select_related("department", "by")
    if is_representative(user, item.request):
        chases = chases.filter(shared_with_applicant=True)
    return chases
