"""The quarterly work ledger (工作台账): what each responsible unit did in a quarter, computed from the data.

A unit's items are those it is responsible for, plus, for a township, the items of requests located there
(酉阳方案: departments work together with the township). Figures per unit:

- requests received (submitted in the quarter) and completed (in the quarter);
- items filed and items decided in the quarter; of those decided, how many by their deadline;
- average working days used against the average committed limit (used = limit + working days between
  the deadline and the decision, so clock stops are already accounted for);
- coordination issues still open at the quarter's end; evaluations given in the quarter to agents for their
  items of the unit (count, bad, mean of the three dimensions).

The total counts each request, item and evaluation once, although a township request is also in its
departments' rows: it is not the sum of the rows.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from daiban.cases.models import CaseItem
from daiban.feedback.models import Evaluation
from daiban.organizations.models import Jurisdiction, Unit
from daiban.workdays.engine import CalendarYearUnknown, WorkCalendar
from daiban.workdays.quarters import Quarter
from daiban.workdays.selectors import calendar_for

from .models import CoordinationIssue

LEDGER_UNIT_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP, Unit.Kind.PARK)


def ledger_due_on(jurisdiction: Jurisdiction, quarter: Quarter) -> dt.date | None:
    """季度末按时报送: due DAIBAN_LEDGER_WORKING_DAYS working days after the quarter's last day; None
    while the jurisdiction's calendar does not know the days needed (or no calendar is stored at all)."""
    try:
        return quarter.due_after(calendar_for(jurisdiction.code), settings.DAIBAN_LEDGER_WORKING_DAYS)
    except LookupError:  # CalendarYearUnknown, or no year stored
        return None


@dataclass
class Figures:
    requests_received: int = 0
    requests_completed: int = 0
    items_filed: int = 0
    items_decided: int = 0
    decided_on_time: int = 0
    used_days: int = 0
    limit_days: int = 0
    open_issues: int = 0
    evaluations: int = 0
    bad_evaluations: int = 0
    rating_sum: int = 0  # sum of the three dimensions over all evaluations
    _requests: set[int] = field(default_factory=set, repr=False)

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.decided_on_time / self.items_decided, 1) if self.items_decided else None

    @property
    def average_used_days(self) -> float | None:
        return round(self.used_days / self.items_decided, 1) if self.items_decided else None

    @property
    def average_limit_days(self) -> float | None:
        return round(self.limit_days / self.items_decided, 1) if self.items_decided else None

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / (3 * self.evaluations), 2) if self.evaluations else None

    def as_dict(self) -> dict[str, object]:
        keys = [
            "requests_received",
            "requests_completed",
            "items_filed",
            "items_decided",
            "decided_on_time",
            "open_issues",
            "evaluations",
            "bad_evaluations",
        ]
        return {k: getattr(self, k) for k in keys} | {
            "on_time_rate": self.on_time_rate,
            "average_used_days": self.average_used_days,
            "average_limit_days": self.average_limit_days,
            "average_rating": self.average_rating,
        }


def counted_items(jurisdiction: Jurisdiction) -> QuerySet[CaseItem]:
    """The items every oversight figure counts (ledger, ranking, call-backs): the jurisdiction's items but
    those declined at acceptance (ADR 0022). A declined item of an accepted request is nobody's work — it
    is never filed, has no agent and its unit did not take the request on — so it must not count the
    request as received by its unit nor bring that unit the request's call-backs. One place, so the ledger
    and the ranking cannot disagree about it."""
    return CaseItem.objects.filter(request__jurisdiction=jurisdiction).exclude(
        acceptance=CaseItem.Acceptance.DECLINED
    )


def _unit_items(
    jurisdiction: Jurisdiction, wanted: set[int], townships: set[int]
) -> list[QuerySet[CaseItem]]:
    """The units' items in two disjoint parts, each read through its own index: those a unit is
    responsible for, and the other items of requests located in one of the townships. The single condition
    `responsible unit … OR the request's township …` spans two tables, so PostgreSQL could use neither
    index and scanned every item of the city for each ledger figure."""
    base = counted_items(jurisdiction)
    parts = [base.filter(responsible_unit_id__in=wanted)]
    if townships:
        parts.append(base.filter(request__locality_id__in=townships).exclude(responsible_unit_id__in=wanted))
    return parts


def each_part(
    parts: Sequence[QuerySet[CaseItem]], build: Callable[[QuerySet[CaseItem]], QuerySet[Any]]
) -> QuerySet[Any]:
    """One query over disjoint parts: `build` applied to each, the results as a UNION ALL."""
    first, *rest = [build(part).order_by() for part in parts]
    return first.union(*rest, all=True) if rest else first


@dataclass
class Decided:
    """Items decided in a quarter: how many, how many by their deadline, and the working days committed
    and used (used = the committed limit + working days from the deadline to the decision, negative when
    early; clock stops are already in the deadline)."""

    items: int = 0
    on_time: int = 0
    limit_days: int = 0
    used_days: int = 0


def decided_tallies(
    parts: Sequence[QuerySet[CaseItem]], quarter: Quarter, calendar: WorkCalendar | None, *keys: str
) -> dict[tuple[Any, ...], Decided]:
    """The items decided in the quarter, tallied per value of `keys`, in one grouped query on the stored
    deadline `due_on` (ADR 0010): items sharing a key, a deadline, a decision day and a limit are one row,
    and only the working days between each row's deadline and decision day are counted here, on the
    calendar. Deriving every deadline again from the filing date and the clock stops gives the same figures
    (a test compares both over stops, corrections and holidays) at a fraction of the cost. Without a
    calendar no deadline is known and nothing is tallied."""
    if calendar is None:
        return {}
    rows = each_part(
        parts,
        lambda items: (
            items.filter(decided_on__range=quarter.bounds, filed_on__isnull=False, due_on__isnull=False)
            .values(*keys, "due_on", "decided_on", "time_limit_days")
            .annotate(n=Count("id"))
        ),
    )
    tallies: dict[tuple[Any, ...], Decided] = defaultdict(Decided)
    lateness: dict[tuple[dt.date, dt.date], int] = {}  # the same pair of days recurs across keys
    for row in rows:
        n, limit = row["n"], row["time_limit_days"]
        days = (row["due_on"], row["decided_on"])
        if days not in lateness:
            lateness[days] = calendar.working_days_between(*days)
        late = lateness[days]
        tally = tallies[tuple(row[key] for key in keys)]  # parts' keys may meet: added up
        tally.items += n
        tally.on_time += n * int(row["decided_on"] <= row["due_on"])
        tally.limit_days += n * limit
        tally.used_days += n * (limit + late)
    return dict(tallies)


@dataclass
class Ledger:
    units: dict[int, Figures]  # keyed by unit id
    total: Figures  # over the same units, each request, item and evaluation once


def ledger_figures(
    jurisdiction: Jurisdiction, quarter: Quarter, *, units: QuerySet[Unit] | None = None
) -> Ledger:
    """Figures for every ledger unit of the jurisdiction (or the units given), and their total."""
    if units is None:
        units = Unit.objects.filter(jurisdiction=jurisdiction, kind__in=LEDGER_UNIT_KINDS)
    kinds = dict(units.values_list("id", "kind"))
    wanted = set(kinds)
    figures: dict[int, Figures] = {pk: Figures() for pk in wanted}
    total = Figures()

    def counted_in(units: set[int]) -> list[Figures]:
        return [figures[unit] for unit in units] + ([total] if units else [])

    townships = {pk for pk, kind in kinds.items() if kind == Unit.Kind.TOWNSHIP}
    parts = _unit_items(jurisdiction, wanted, townships)
    try:
        calendar = calendar_for(jurisdiction.code)
    except (CalendarYearUnknown, LookupError):
        calendar = None
    # One pass over the items touched in the quarter (received, completed or filed in it), not three; which
    # of the three is said by the database (in the current time zone, as `timezone.localdate`): reading
    # each row's two datetimes and converting them here was most of the page's time at city scale.
    received = Q(request__submitted_at__date__range=quarter.bounds)
    completed = Q(request__completed_at__date__range=quarter.bounds)
    filed = Q(filed_on__range=quarter.bounds)

    def flag(condition: Q) -> ExpressionWrapper[Q]:
        return ExpressionWrapper(condition, output_field=BooleanField())

    touched = each_part(
        parts,
        lambda items: (
            items.filter(received | completed | filed)
            .annotate(is_received=flag(received), is_completed=flag(completed), is_filed=flag(filed))
            .values_list(
                "request_id",
                "responsible_unit_id",
                "request__locality_id",
                "request__locality__kind",
                "is_received",
                "is_completed",
                "is_filed",
            )
        ),
    )
    seen: dict[str, dict[int, set[int]]] = {
        "requests_received": defaultdict(set),
        "requests_completed": defaultdict(set),
    }
    everyone: dict[str, set[int]] = {"requests_received": set(), "requests_completed": set()}
    for request_id, responsible, locality, kind, is_received, is_completed, is_filed in touched:
        hit = ({responsible} | ({locality} if kind == Unit.Kind.TOWNSHIP else set())) & wanted
        if not hit:
            continue
        for attr, counted in (("requests_received", is_received), ("requests_completed", is_completed)):
            if counted:
                everyone[attr].add(request_id)
                for unit in hit:
                    seen[attr][unit].add(request_id)
        if is_filed:
            for f in counted_in(hit):
                f.items_filed += 1
    for attr, by_unit in seen.items():
        for unit, requests in by_unit.items():
            setattr(figures[unit], attr, len(requests))
        setattr(total, attr, len(everyone[attr]))
    decided = decided_tallies(
        parts, quarter, calendar, "responsible_unit_id", "request__locality_id", "request__locality__kind"
    )
    for (responsible, locality, kind), tally in decided.items():
        hit = ({responsible} | ({locality} if kind == Unit.Kind.TOWNSHIP else set())) & wanted
        for f in counted_in(hit):
            f.items_decided += tally.items
            f.decided_on_time += tally.on_time
            f.limit_days += tally.limit_days
            f.used_days += tally.used_days
    open_issues = CoordinationIssue.objects.filter(
        jurisdiction=jurisdiction, unit__in=units, raised_at__date__lte=quarter.last_day
    ).filter(Q(resolved_at__isnull=True) | Q(resolved_at__date__gt=quarter.last_day))
    for unit_id in open_issues.values_list("unit_id", flat=True):
        for f in counted_in({unit_id}):
            f.open_issues += 1
    evaluations = Evaluation.objects.filter(jurisdiction=jurisdiction, given_at__date__range=quarter.bounds)
    # The units each rated agent worked for on the rated request.
    handled: dict[tuple[int, int], set[int]] = defaultdict(set)
    rows = each_part(
        parts,
        lambda items: items.filter(request__in=evaluations.values("request_id")).values_list(
            "request_id", "agent_id", "responsible_unit_id", "request__locality_id", "request__locality__kind"
        ),
    )
    for request_id, agent_id, responsible, locality, kind in rows:
        handled[(request_id, agent_id)] |= (
            {responsible} | ({locality} if kind == Unit.Kind.TOWNSHIP else set())
        ) & wanted
    for evaluation in evaluations.only(
        "request_id", "agent_id", "attitude", "efficiency", "integrity", "is_bad"
    ):
        for f in counted_in(handled.get((evaluation.request_id, evaluation.agent_id), set())):
            f.evaluations += 1
            f.bad_evaluations += int(evaluation.is_bad)
            f.rating_sum += evaluation.attitude + evaluation.efficiency + evaluation.integrity
    return Ledger(units=figures, total=total)


def decided_items(jurisdiction: Jurisdiction, quarter: Quarter) -> Iterator[CaseItem]:
    """Every item decided in the quarter, streamed in chunks (the export's detail sheet)."""
    qs = (
        CaseItem.objects.filter(request__jurisdiction=jurisdiction, decided_on__range=quarter.bounds)
        .select_related("request__project", "request__locality", "approval_item", "responsible_unit", "agent")
        .order_by("decided_on", "id")
    )
    return qs.iterator(chunk_size=2000)


def quarter_issues(jurisdiction: Jurisdiction, quarter: Quarter) -> Iterator[CoordinationIssue]:
    """The quarter's 问题清单: every issue that was on the list at some time in the quarter — raised in it, or
    raised before and not resolved before it began (so one still open is carried into each quarter until it
    is resolved). Streamed in chunks, oldest first."""
    qs = (
        CoordinationIssue.objects.filter(jurisdiction=jurisdiction, raised_at__date__lte=quarter.last_day)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__date__gte=quarter.first_day))
        .select_related(
            "unit", "case_item__request__project", "case_item__approval_item", "raised_by", "assignee"
        )
        .order_by("raised_at", "id")
    )
    return qs.iterator(chunk_size=2000)
