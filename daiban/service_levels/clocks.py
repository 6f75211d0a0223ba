"""The promise clocks, derived from stored dates with the working-day engine (`daiban.workdays`) — the same
calendar and the same `deadline(start, limit, stops)` as item deadlines (daiban/cases/deadlines.py).

Where the applicant holds things up the clock pauses: the applicant's correction rounds (the items'
`ClockStop` of kind 补正) are the stops of the request's promises and of an item's delivery, counted exactly
as an item's deadline counts them. A clock with a stop still open has no deadline (like `CaseItem.due_on`).

`refresh_clocks(today)` writes every clock not yet kept, a chunk at a time with a fixed number of queries per
chunk, so the daily sweep's cost grows with the open promises and never with the history."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Exists, Min, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from daiban.assistance.models import Consultation
from daiban.cases.models import (
    OPEN_STATES,
    CaseItem,
    ChaseRecord,
    ClockStop,
    ItemAssignment,
    ServiceRequest,
    Visit,
)
from daiban.feedback.models import Rectification
from daiban.workdays.engine import CalendarYearUnknown, WorkCalendar
from daiban.workdays.engine import ClockStop as Stop
from daiban.workdays.selectors import calendars_for

from .models import DEFAULT_DAYS, FIELD_OF, Promise, PromiseClock, ServiceLevel

REQUEST_PROMISES = (Promise.ACCEPTANCE, Promise.ASSIGNMENT, Promise.FIRST_CONTACT, Promise.FIRST_VISIT)
DEAD_STATES = (ServiceRequest.State.WITHDRAWN, ServiceRequest.State.DECLINED)

M = TypeVar("M", bound=Model)


def limits_for(jurisdiction_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Each jurisdiction's limits by promise; the defaults where it has set none."""
    ids = set(jurisdiction_ids)
    limits = {pk: dict(DEFAULT_DAYS) for pk in ids}
    for level in ServiceLevel.objects.filter(jurisdiction_id__in=ids):
        limits[level.jurisdiction_id] = {p: level.days(p) for p in FIELD_OF}
    return limits


@dataclass(frozen=True)
class Fact:
    """What one promise's clock is derived from."""

    promise: str
    object_id: int
    jurisdiction_id: int
    code: str
    request_id: int | None
    started_on: dt.date | None  # None: the clock has not started (nothing to write yet)
    met_on: dt.date | None
    stops: tuple[Stop, ...] = ()
    responsible_id: int | None = None


def _day(at: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(at) if at is not None else None


def _applicant_stops(item_ids_by_owner: Mapping[int, list[int]]) -> dict[int, tuple[Stop, ...]]:
    """The applicant's correction rounds of each owner's items (one query), merged where they overlap so
    that no day counts twice."""
    owner_of = {item_id: owner for owner, ids in item_ids_by_owner.items() for item_id in ids}
    found: dict[int, list[Stop]] = defaultdict(list)
    for stop in ClockStop.objects.filter(
        case_item_id__in=list(owner_of), kind=ClockStop.Kind.CORRECTION
    ).order_by("start_on"):
        found[owner_of[stop.case_item_id]].append(Stop(stop.start_on, stop.end_on, stop.kind))
    return {owner: _merged(stops) for owner, stops in found.items()}


def _merged(stops: list[Stop]) -> tuple[Stop, ...]:
    merged: list[Stop] = []
    for stop in sorted(stops, key=lambda s: s.start_on):
        last = merged[-1] if merged else None
        if last is not None and (last.end_on is None or stop.start_on <= last.end_on):
            end = None if last.end_on is None or stop.end_on is None else max(last.end_on, stop.end_on)
            merged[-1] = Stop(last.start_on, end, last.reason)
        else:
            merged.append(stop)
    return tuple(merged)


def _unkept(promise: str) -> QuerySet[PromiseClock]:
    return PromiseClock.objects.filter(promise=promise, object_id=OuterRef("pk"), met_on__isnull=False)


def request_facts(requests: list[ServiceRequest]) -> list[Fact]:
    """Acceptance (from submission), assignment (from acceptance), first contact and first visit (from the
    first assignment). First contact is kept by the first visit or the first progress report shared with
    the applicant, whichever comes first."""
    ids = [r.pk for r in requests]
    items: dict[int, list[int]] = defaultdict(list)
    for item_id, request_id in CaseItem.objects.filter(request_id__in=ids).values_list("id", "request_id"):
        items[request_id].append(item_id)
    stops = _applicant_stops(items)
    facts = []
    for r in requests:
        decided_on = _day(r.decided_at)
        if r.state == ServiceRequest.State.WITHDRAWN and decided_on is None:
            continue  # withdrawn before anyone decided: nothing was left to promise
        accepted = r.state not in DEAD_STATES and decided_on is not None
        assigned_on = _day(r.first_assigned_at)  # type: ignore[attr-defined]
        visit_on: dt.date | None = r.first_visit_on  # type: ignore[attr-defined]
        report_on: dt.date | None = r.first_report_on  # type: ignore[attr-defined]
        agent_id: int | None = r.first_agent_id  # type: ignore[attr-defined]
        contact_on = min((d for d in (visit_on, report_on) if d is not None), default=None)

        def fact(
            promise: str,
            started_on: dt.date | None,
            met_on: dt.date | None,
            who: int | None = None,
            r: ServiceRequest = r,
        ) -> Fact:
            return Fact(
                promise,
                object_id=r.pk,
                jurisdiction_id=r.jurisdiction_id,
                code=r.jurisdiction.code,
                request_id=r.pk,
                started_on=started_on,
                met_on=met_on,
                stops=stops.get(r.pk, ()),
                responsible_id=who,
            )

        facts.append(fact(Promise.ACCEPTANCE, _day(r.submitted_at), decided_on))
        if r.state in DEAD_STATES:
            continue
        facts += [
            fact(Promise.ASSIGNMENT, decided_on if accepted else None, assigned_on),
            fact(Promise.FIRST_CONTACT, assigned_on, contact_on, agent_id),
            fact(Promise.FIRST_VISIT, assigned_on, visit_on, agent_id),
        ]
    return facts


def candidate_requests() -> QuerySet[ServiceRequest]:
    """Open requests, and any other whose clocks are not all kept (it closed since the last sweep)."""
    first_assignment = ItemAssignment.objects.filter(case_item__request=OuterRef("pk")).order_by(
        "assigned_at", "id"
    )
    open_clock = PromiseClock.objects.filter(
        promise__in=REQUEST_PROMISES, object_id=OuterRef("pk"), met_on__isnull=True
    )
    return (
        (ServiceRequest.objects.filter(Q(state__in=OPEN_STATES) | Exists(open_clock)))
        .annotate(
            first_assigned_at=Subquery(first_assignment.values("assigned_at")[:1]),
            first_agent_id=Subquery(first_assignment.values("agent_id")[:1]),
            first_visit_on=Subquery(
                Visit.objects.filter(request=OuterRef("pk"))
                .values("request")
                .annotate(m=Min("visited_on"))
                .values("m")[:1]
            ),
            first_report_on=Subquery(
                ChaseRecord.objects.filter(case_item__request=OuterRef("pk"), shared_with_applicant=True)
                .values("case_item__request")
                .annotate(m=Min("chased_on"))
                .values("m")[:1]
            ),
        )
        .select_related("jurisdiction")
    )


def delivery_facts(items: list[CaseItem]) -> list[Fact]:
    stops = _applicant_stops({item.pk: [item.pk] for item in items})
    return [
        Fact(
            Promise.DELIVERY,
            object_id=item.pk,
            jurisdiction_id=item.request.jurisdiction_id,
            code=item.request.jurisdiction.code,
            request_id=item.request_id,
            started_on=item.picked_up_on,
            met_on=item.delivered_on,  # type: ignore[attr-defined]
            stops=stops.get(item.pk, ()),
            responsible_id=item.agent_id,
        )
        for item in items
    ]


def candidate_items() -> QuerySet[CaseItem]:
    return (
        CaseItem.objects.filter(picked_up_on__isnull=False)
        .exclude(Exists(_unkept(Promise.DELIVERY)))
        .annotate(
            delivered_on=Subquery(
                CaseItem.objects.filter(pk=OuterRef("pk")).values("delivery__delivered_on")[:1]
            )
        )
        .select_related("request__jurisdiction")
    )


def consultation_facts(rows: list[Consultation]) -> list[Fact]:
    return [
        Fact(
            Promise.CONSULTATION,
            object_id=c.pk,
            jurisdiction_id=c.jurisdiction_id,
            code=c.jurisdiction.code,
            request_id=None,
            started_on=_day(c.asked_at),
            met_on=_day(c.answered_at),
        )
        for c in rows
    ]


def candidate_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.exclude(Exists(_unkept(Promise.CONSULTATION))).select_related("jurisdiction")


def rectification_facts(rows: list[Rectification]) -> list[Fact]:
    """Kept when the owner reports what was done (the supervisor's verification is theirs, not the
    owner's, to keep)."""
    return [
        Fact(
            Promise.RECTIFICATION,
            object_id=r.pk,
            jurisdiction_id=r.jurisdiction_id,
            code=r.jurisdiction.code,
            request_id=r.request_id,
            started_on=r.opened_on,
            met_on=_day(r.reported_at) or _day(r.closed_at),
            responsible_id=r.owner_id,
        )
        for r in rows
    ]


def candidate_rectifications() -> QuerySet[Rectification]:
    return Rectification.objects.exclude(Exists(_unkept(Promise.RECTIFICATION))).select_related(
        "jurisdiction"
    )


def deadline_of(
    fact: Fact, limit_days: int, calendar: WorkCalendar | None, today: dt.date
) -> tuple[dt.date | None, bool]:
    """(deadline, paused): no deadline while an applicant's hold-up is open (unless already kept) or when
    the holiday schedule does not reach it."""
    assert fact.started_on is not None
    as_of = fact.met_on or today
    stops = [s for s in fact.stops if s.start_on <= as_of]
    paused = fact.met_on is None and any(s.end_on is None for s in stops)
    if calendar is None or paused:
        return None, paused
    try:
        return calendar.deadline(fact.started_on, limit_days, stops, as_of=as_of), False
    except CalendarYearUnknown:
        return None, False


def write(facts: list[Fact], today: dt.date) -> int:
    """Create or update the clocks of `facts` (three queries and a bulk write); returns how many changed.
    A clock keeps the limit it started under; one of a request declined or withdrawn before it was kept is
    removed."""
    started = [f for f in facts if f.started_on is not None]
    keys = {(f.promise, f.object_id) for f in started}
    existing = {
        (c.promise, c.object_id): c
        for c in PromiseClock.objects.filter(
            promise__in={p for p, _o in keys}, object_id__in={o for _p, o in keys}
        )
        if (c.promise, c.object_id) in keys
    }
    limits = limits_for({f.jurisdiction_id for f in started})
    try:
        calendars = calendars_for({f.code for f in started}) if started else {}
    except LookupError:
        calendars = {}
    new, changed = [], []
    fields = ["started_on", "limit_days", "due_on", "met_on", "paused", "responsible_id"]
    for fact in started:
        clock = existing.get((fact.promise, fact.object_id))
        limit = clock.limit_days if clock else limits[fact.jurisdiction_id][fact.promise]
        due_on, paused = deadline_of(fact, limit, calendars.get(fact.code), today)
        values = {
            "started_on": fact.started_on,
            "limit_days": limit,
            "due_on": due_on,
            "met_on": fact.met_on,
            "paused": paused,
            "responsible_id": fact.responsible_id,
        }
        if clock is None:
            new.append(
                PromiseClock(
                    jurisdiction_id=fact.jurisdiction_id,
                    promise=fact.promise,
                    object_id=fact.object_id,
                    request_id=fact.request_id,
                    **values,
                )
            )
        elif any(getattr(clock, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(clock, k, v)
            changed.append(clock)
    PromiseClock.objects.bulk_create(new, ignore_conflicts=True)
    PromiseClock.objects.bulk_update(changed, fields)
    return len(new) + len(changed)


def refresh_clocks(today: dt.date, *, chunk: int = 500) -> int:
    """Bring every clock not yet kept up to date; returns how many were written."""
    written = _each(candidate_requests(), request_facts, today, chunk)
    written += _each(candidate_items(), delivery_facts, today, chunk)
    written += _each(candidate_consultations(), consultation_facts, today, chunk)
    written += _each(candidate_rectifications(), rectification_facts, today, chunk)
    # A request declined or withdrawn before a promise was kept: the promise lapses with it.
    PromiseClock.objects.filter(
        promise__in=REQUEST_PROMISES, met_on__isnull=True, request__state__in=DEAD_STATES
    ).delete()
    return written


def _each(queryset: QuerySet[M], derive: Callable[[list[M]], list[Fact]], today: dt.date, chunk: int) -> int:
    """Walk `queryset` by primary key, a chunk at a time, writing the clocks of each chunk."""
    written, last = 0, 0
    while batch := list(queryset.filter(pk__gt=last).order_by("pk")[:chunk]):
        last = batch[-1].pk
        written += write(derive(batch), today)
    return written
