"""Case reads scoped to the person asking. Each role sees its own slice:

- applicant users: their enterprises' requests;
- coordinators: requests with an item their unit is responsible for, or located in their township/park;
- agents: requests with an item assigned to them; clerks: requests taken at their service centre;
- section reviewers: requests with an item of their department; supervisors: their jurisdictions.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from daiban.organizations.models import Role, RoleAssignment, Unit, User
from daiban.organizations.selectors import (
    active_roles,
    is_platform_superuser,
    jurisdictions_where,
    person_id,
    role_holders,
)
from daiban.projects.models import Applicant
from daiban.workdays.engine import CalendarYearUnknown, WarningLevel, WorkCalendar
from daiban.workdays.engine import ClockStop as Stop
from daiban.workdays.selectors import calendar_for, calendars_for

from .models import CLOCK_STATES, OPEN_STATES, CaseItem, ServiceRequest


def _units(user: object, role: str) -> set[int]:
    return {a.unit_id for a in active_roles(user) if a.role == role and a.unit_id}


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


def coordinator_units(user: object) -> set[int]:
    return _units(user, Role.COORDINATOR)


def can_decide(user: object, request: ServiceRequest) -> bool:
    """Accept or decline: a coordinator of the locality or of any item's responsible unit."""
    units = coordinator_units(user)
    if not units:
        return False
    if request.locality_id in units:
        return True
    return request.items.filter(responsible_unit_id__in=units).exists()


def can_assign(user: object, item: CaseItem, request: ServiceRequest) -> bool:
    """Assign an item's agent: its responsible unit's coordinator, or — outside parks — the township's
    (酉阳方案 四(二)2: departments together with the township arrange the agents)."""
    units = coordinator_units(user)
    if item.responsible_unit_id in units:
        return True
    return request.locality.kind == Unit.Kind.TOWNSHIP and request.locality_id in units


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


@dataclass(frozen=True)
class ItemClock:
    """Where an item stands against its committed limit, derived from stored dates and clock stops."""

    level: str  # on_time | due_soon | overdue | stopped | not_started | done | late_done | unknown
    label: str
    deadline_on: dt.date | None = None


def item_clocks(items: Iterable[CaseItem], today: dt.date, *, due_soon_days: int = 2) -> dict[int, ItemClock]:
    """One clock per item. Items must come with `stops`, `approval_item` and the request's jurisdiction
    loaded (prefetch), so a page of items costs no query per item."""
    items = list(items)
    calendars = _calendars({item.request.jurisdiction.code for item in items if item.filed_on is not None})
    clocks: dict[int, ItemClock] = {}
    for item in items:
        if item.filed_on is None:
            clocks[item.pk] = ItemClock("not_started", _("clock starts at filing"))
            continue
        code = item.request.jurisdiction.code
        try:
            calendar = calendars[code]
            stops = [Stop(s.start_on, s.end_on, s.kind) for s in item.stops.all()]
            deadline = calendar.deadline(
                item.filed_on, item.approval_item.time_limit_days, stops, as_of=today
            )
        except (CalendarYearUnknown, KeyError):
            clocks[item.pk] = ItemClock("unknown", _("holiday schedule missing: deadline unknown"))
            continue
        if item.state not in CLOCK_STATES:
            done_on = item.decided_on or today
            late = done_on > deadline
            label = _("decided %(on)s, deadline %(deadline)s") % {"on": done_on, "deadline": deadline}
            clocks[item.pk] = ItemClock("late_done" if late else "done", label, deadline)
            continue
        open_stop = next((s for s in item.stops.all() if s.end_on is None), None)
        if open_stop is not None:
            label = _("clock stopped: %(kind)s since %(on)s") % {
                "kind": open_stop.get_kind_display(),
                "on": open_stop.start_on,
            }
            clocks[item.pk] = ItemClock("stopped", label, deadline)
            continue
        standing = calendar.standing(deadline, today, due_soon_days=due_soon_days)
        if standing.level == WarningLevel.OVERDUE:
            label = _("overdue by %(n)s working days (deadline %(deadline)s)") % {
                "n": standing.overdue_days,
                "deadline": deadline,
            }
        elif standing.level == WarningLevel.DUE_SOON:
            label = _("due soon: %(n)s working days left (deadline %(deadline)s)") % {
                "n": standing.remaining_days,
                "deadline": deadline,
            }
        else:
            label = _("on time: %(n)s working days left (deadline %(deadline)s)") % {
                "n": standing.remaining_days,
                "deadline": deadline,
            }
        clocks[item.pk] = ItemClock(str(standing.level), label, deadline)
    return clocks


def _calendars(codes: set[str]) -> dict[str, WorkCalendar]:
    """The jurisdictions' calendars, fetched once for a whole page or batch; none when no year is stored."""
    try:
        return calendars_for(codes) if codes else {}
    except LookupError:
        return {}


def derived_due_on(item: CaseItem, calendar: WorkCalendar | None = None) -> dt.date | None:
    """What `CaseItem.due_on` must hold: the deadline with closed stops, or None before filing, while a stop
    is open, or when the holiday schedule does not reach it yet. The item's `stops` must be current."""
    stops = list(item.stops.all())
    if item.filed_on is None or any(s.end_on is None for s in stops):
        return None
    try:
        calendar = calendar or calendar_for(item.request.jurisdiction.code)
        return calendar.deadline(
            item.filed_on,
            item.approval_item.time_limit_days,
            [Stop(s.start_on, s.end_on, s.kind) for s in stops],
        )
    except (CalendarYearUnknown, LookupError):
        return None


def refresh_due_dates(items: QuerySet[CaseItem], *, chunk: int = 2000) -> int:
    """Rewrite `due_on` where it no longer matches its inputs (after a holiday schedule was edited, or for
    items filed before the column existed). Returns how many changed."""
    changed = 0
    qs = items.filter(filed_on__isnull=False).select_related("request__jurisdiction", "approval_item")
    last = 0
    while batch := list(qs.filter(pk__gt=last).prefetch_related("stops").order_by("pk")[:chunk]):
        last = batch[-1].pk
        calendars = _calendars({item.request.jurisdiction.code for item in batch})  # fresh each batch
        stale = []
        for item in batch:
            calendar = calendars.get(item.request.jurisdiction.code)
            if calendar is None:
                continue
            due_on = derived_due_on(item, calendar)
            if due_on != item.due_on:
                item.due_on = due_on
                stale.append(item)
        CaseItem.objects.bulk_update(stale, ["due_on"])
        changed += len(stale)
    return changed
