"""Work queues: what each role has to do today, as conditions on the requests or items the person already
sees. The home page counts them (one grouped query for the request queues and one for the item queues,
whatever roles the person holds) and each count links to the list filtered by the same condition
(`?queue=…`), so the number and the list cannot disagree.

- coordinator: 待受理 (submitted to their units), 待分派 (accepted, with an item of theirs without an agent),
  无人处理 (an item of theirs without an agent, and no agent in its unit — nobody could be assigned);
- agent: 即将到期 / 已超期 (own filed items by the stored deadline, the dashboard's rule), 容缺待补 (own
  items with a material promised for later), 待取件 (own approved items), 待送达不予许可 (own refused
  items whose refusal decision is not yet recorded as delivered, whatever the request's state);
- section reviewer: 待审查 (filed or resubmitted items of their department/section, or under review),
  补正待收 (a correction asked, the resubmission awaited);
- supervisor: 超期 (filed items past their deadline in their jurisdictions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from daiban.organizations.auth import Viewer
from daiban.organizations.models import Jurisdiction, Role, RoleAssignment, Unit
from daiban.organizations.selectors import active_roles, jurisdictions_where, person_id, units_where
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.selectors import calendars_for

from .models import CLOCK_STATES, HANDLING_STATES, OPEN_STATES, CaseItem, ItemMaterial, ServiceRequest
from .selectors import items_touching_units, requests_visible_to, touching_units

Target = Literal["requests", "items"]


@dataclass(frozen=True)
class Queue:
    key: str
    label: Promise
    role: str
    target: Target


QUEUES: tuple[Queue, ...] = (
    Queue("to_accept", _("Awaiting acceptance"), Role.COORDINATOR, "requests"),
    Queue("to_dispatch", _("Awaiting assignment"), Role.COORDINATOR, "requests"),
    Queue("unstaffed", _("Nobody to handle"), Role.COORDINATOR, "items"),
    Queue("due_soon", _("Due soon"), Role.AGENT, "items"),
    Queue("my_overdue", _("Overdue"), Role.AGENT, "items"),
    Queue("promised", _("Promised materials due"), Role.AGENT, "items"),
    Queue("to_pick_up", _("Result to pick up"), Role.AGENT, "items"),
    Queue("refusal_to_deliver", _("Refusal decisions to deliver"), Role.AGENT, "items"),
    Queue("to_review", _("To review"), Role.SECTION_REVIEWER, "items"),
    Queue("awaiting_correction", _("Correction awaited"), Role.SECTION_REVIEWER, "items"),
    Queue("overdue", _("Overdue items"), Role.SUPERVISOR, "items"),
)
BY_KEY = {queue.key: queue for queue in QUEUES}

REVIEW_STATES = (CaseItem.State.FILED, CaseItem.State.UNDER_REVIEW, CaseItem.State.RESUBMITTED)


def items_visible_to(user: Viewer) -> QuerySet[CaseItem]:
    """The items of every request the person may see (the one request scope)."""
    return CaseItem.objects.filter(request__in=requests_visible_to(user))


def _holds(user: Viewer, role: str) -> bool:
    return any(a.role == role for a in active_roles(user))


def _due_soon(user: Viewer, today: dt.date) -> Q:
    """Filed, not overdue, and at most DAIBAN_DUE_SOON_WORKING_DAYS working days left, by each of the
    person's jurisdictions' calendars (a jurisdiction whose calendar does not reach that far: none)."""
    ids = jurisdictions_where(user, Role.AGENT, Role.SUPERVISOR, Role.SECTION_REVIEWER)
    codes = dict(Jurisdiction.objects.filter(id__in=ids).values_list("id", "code"))
    try:
        calendars = calendars_for(set(codes.values()))
    except LookupError:
        return Q(pk__in=[])
    soon = Q(pk__in=[])
    for jurisdiction_id, code in codes.items():
        try:
            limit = calendars[code].add_working_days(today, settings.DAIBAN_DUE_SOON_WORKING_DAYS + 1)
        except (CalendarYearUnknown, KeyError):
            continue
        soon |= Q(request__jurisdiction_id=jurisdiction_id, due_on__lt=limit)
    return Q(state__in=CLOCK_STATES, due_on__gte=today) & soon


def _reviewed(user: Viewer) -> Q:
    """Items of a department (and section, where the catalogue names one) the person reviews for."""
    reviewed = Q(pk__in=[])
    for a in active_roles(user):
        if a.role == Role.SECTION_REVIEWER and a.unit_id:
            section = Q(approval_item__section__isnull=True)
            if a.section_id:
                section |= Q(approval_item__section_id=a.section_id)
            reviewed |= Q(approval_item__department_id=a.unit_id) & section
    return reviewed


def _nobody_to_assign() -> Q:
    """No active agent in the item's unit, nor (outside parks) in its township."""
    staffed = RoleAssignment.objects.filter(
        role=Role.AGENT, revoked_at__isnull=True, user__is_active=True
    ).values("unit_id")
    township_staffed = Q(request__locality__kind=Unit.Kind.TOWNSHIP, request__locality_id__in=staffed)
    return ~Q(responsible_unit_id__in=staffed) & ~township_staffed


def request_conditions(user: Viewer) -> dict[str, Q]:
    """The request queues of the roles the person holds, by key."""
    units = units_where(user, Role.COORDINATOR)
    if not units:
        return {}
    unassigned = CaseItem.objects.filter(items_touching_units(units), agent__isnull=True).values("request_id")
    return {
        "to_accept": touching_units(units) & Q(state=ServiceRequest.State.SUBMITTED),
        "to_dispatch": Q(state__in=HANDLING_STATES, pk__in=unassigned),
    }


def item_conditions(user: Viewer, today: dt.date) -> dict[str, Q]:
    """The item queues of the roles the person holds, by key."""
    conditions: dict[str, Q] = {}
    open_request = Q(request__state__in=OPEN_STATES)
    units = units_where(user, Role.COORDINATOR)
    if units:
        conditions["unstaffed"] = (
            items_touching_units(units)
            & Q(agent__isnull=True, request__state__in=HANDLING_STATES)
            & _nobody_to_assign()
        )
    if _holds(user, Role.AGENT):
        mine = Q(agent_id=person_id(user)) & open_request
        promised = ItemMaterial.objects.filter(case_item=OuterRef("pk"), status=ItemMaterial.Status.PROMISED)
        conditions |= {
            "due_soon": mine & _due_soon(user, today),
            "my_overdue": mine & Q(state__in=CLOCK_STATES, due_on__lt=today),
            "promised": mine & Q(Exists(promised)),
            "to_pick_up": mine & Q(state=CaseItem.State.APPROVED),
            # Refused items end their request's handling, so not limited to open requests: the decision
            # still has to reach the enterprise (docs/adr/0029).
            "refusal_to_deliver": Q(
                agent_id=person_id(user), state=CaseItem.State.REFUSED, refusal_notice__isnull=True
            ),
        }
    if _holds(user, Role.SECTION_REVIEWER):
        reviewed = _reviewed(user) & open_request
        conditions |= {
            "to_review": reviewed & Q(state__in=REVIEW_STATES),
            "awaiting_correction": reviewed & Q(state=CaseItem.State.CORRECTION_REQUESTED),
        }
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    if supervised:
        conditions["overdue"] = Q(
            request__jurisdiction_id__in=supervised, state__in=CLOCK_STATES, due_on__lt=today
        )
    return conditions


def conditions_for(user: Viewer, today: dt.date, target: Target) -> dict[str, Q]:
    return request_conditions(user) if target == "requests" else item_conditions(user, today)


def queue_counts(user: Viewer, today: dt.date) -> dict[str, int]:
    """Every queue of the person's roles with its count: at most one grouped query over requests and one
    over items (plus the calendar reads of `_due_soon`), whatever the data."""
    counts: dict[str, int] = {}
    by_requests = request_conditions(user)
    if by_requests:
        counts |= requests_visible_to(user).aggregate(
            **{key: Count("id", filter=condition) for key, condition in by_requests.items()}
        )
    by_items = item_conditions(user, today)
    if by_items:
        counts |= items_visible_to(user).aggregate(
            **{key: Count("id", filter=condition) for key, condition in by_items.items()}
        )
    return counts
