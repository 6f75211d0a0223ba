"""Dashboard figures, aggregated in the database and scoped before anything is counted.

Scope: supervisors see their jurisdictions (a city supervisor, the city's districts); coordinators their
units (items their unit is responsible for, or requests located in their township or park). Every figure is
one grouped query, the deadline standing included: it reads the stored `CaseItem.due_on` (ADR 0010). The
whole city's figures are counted by a job every few minutes and read from its snapshot (ADR 0011)."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from daiban.cases.models import CLOCK_STATES, DONE_STATES, OPEN_STATES, CaseItem, ServiceRequest
from daiban.cases.selectors import items_touching_units, touching_units
from daiban.catalogue.models import ApprovalItem
from daiban.feedback.models import Evaluation
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Jurisdiction, Role, Unit
from daiban.organizations.selectors import coordinator_units, jurisdictions_where
from daiban.service_levels.selectors import clocks_in_scope, promise_counts
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.selectors import calendars_for

from .models import DashboardSnapshot

# Items whose work is over: they weigh on nobody's workload.


@dataclass(frozen=True)
class Scope:
    """What one person may count: jurisdictions (supervisor) or units (coordinator)."""

    jurisdiction_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    # Every jurisdiction (the city view): no jurisdiction filter is needed, so none is written.
    all_jurisdictions: bool = False

    @property
    def empty(self) -> bool:
        return not self.jurisdiction_ids and not self.unit_ids

    @property
    def everything(self) -> bool:
        """The whole city, all time: what the job's snapshot holds."""
        return self.all_jurisdictions and not (self.start_on or self.end_on)

    def _period(self, prefix: str = "") -> Q:
        """Submitted within the period, local days, as a range on the timestamp itself (indexed)."""
        period = Q()
        if self.start_on:
            period &= Q(**{f"{prefix}submitted_at__gte": _start_of(self.start_on)})
        if self.end_on:
            period &= Q(**{f"{prefix}submitted_at__lt": _start_of(self.end_on + dt.timedelta(days=1))})
        return period

    def requests(self) -> QuerySet[ServiceRequest]:
        qs = ServiceRequest.objects.filter(self._period())
        if self.all_jurisdictions:
            return qs
        if self.jurisdiction_ids:
            return qs.filter(jurisdiction_id__in=self.jurisdiction_ids)
        return qs.filter(touching_units(self.unit_ids))

    def items(self) -> QuerySet[CaseItem]:
        if self.all_jurisdictions:
            return CaseItem.objects.filter(self._period("request__"))
        qs = CaseItem.objects.filter(request__in=self.requests())
        if not self.jurisdiction_ids:
            qs = qs.filter(items_touching_units(self.unit_ids))
        return qs


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def scope_for(
    user: Viewer, *, jurisdiction: Jurisdiction | None, start_on: dt.date | None, end_on: dt.date | None
) -> Scope:
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    if supervised:
        ids = {jurisdiction.pk} & supervised if jurisdiction else supervised
        every = ids == set(Jurisdiction.objects.values_list("id", flat=True))
        return Scope(
            jurisdiction_ids=frozenset(ids), start_on=start_on, end_on=end_on, all_jurisdictions=every
        )
    units = coordinator_units(user)
    return Scope(unit_ids=frozenset(units), start_on=start_on, end_on=end_on)


@dataclass
class Standing:
    """Open, filed items by deadline standing, per responsible unit and per locality."""

    totals: Counter[str] = field(default_factory=Counter)
    by_unit: dict[tuple[int, str], Counter[str]] = field(default_factory=dict)
    by_locality: dict[tuple[int, str], Counter[str]] = field(default_factory=dict)


def standing_filters(scope: Scope, today: dt.date, due_soon_days: int) -> dict[str, Q]:
    """Overdue and due soon as conditions on the stored deadline, the same rule as `WorkCalendar.standing`:
    overdue after the deadline; due soon while at most `due_soon_days` working days remain, i.e. before the
    (n+1)-th working day after today — which depends on each jurisdiction's calendar. Jurisdictions sharing
    a threshold share one condition; when every one in scope does, no jurisdiction test is needed at all."""
    codes = dict(
        Jurisdiction.objects.filter(
            id__in=scope.jurisdiction_ids
            or Unit.objects.filter(id__in=scope.unit_ids).values("jurisdiction_id")
        ).values_list("id", "code")
    )
    try:
        calendars = calendars_for(set(codes.values()))
    except LookupError:
        calendars = {}
    by_limit: dict[dt.date, list[int]] = defaultdict(list)
    for jurisdiction_id, code in codes.items():
        try:
            by_limit[calendars[code].add_working_days(today, due_soon_days + 1)].append(jurisdiction_id)
        except (CalendarYearUnknown, KeyError):
            continue
    if len(by_limit) == 1 and len(next(iter(by_limit.values()))) == len(codes):
        soon = Q(due_on__lt=next(iter(by_limit)))
    else:
        soon = Q(pk__in=[])
        for limit, ids in by_limit.items():
            soon |= Q(request__jurisdiction_id__in=ids, due_on__lt=limit)
    return {"overdue": Q(due_on__lt=today), "due_soon": Q(due_on__gte=today) & soon}


def open_filed(scope: Scope) -> QuerySet[CaseItem]:
    """Items whose clock runs. (A request with such an item is open by construction: it completes only when
    every item is delivered or refused, and is declined or withdrawn only before any item moves.)"""
    return scope.items().filter(state__in=CLOCK_STATES, due_on__isnull=False)


def standing(scope: Scope, today: dt.date, due_soon_days: int | None = None) -> Standing:
    """Grouped in the database on the stored deadline (`CaseItem.due_on`); items with an open clock stop
    have none and are neither overdue nor due soon, as on the item pages. One pass over the items, grouped
    by unit and locality together (a few thousand pairs), folded here both ways; names read after."""
    days = settings.DAIBAN_DUE_SOON_WORKING_DAYS if due_soon_days is None else due_soon_days
    levels = standing_filters(scope, today, days)
    counts = {level: Count("id", filter=condition) for level, condition in levels.items()}
    by_unit: dict[int, Counter[str]] = defaultdict(Counter)
    by_locality: dict[int, Counter[str]] = defaultdict(Counter)
    pairs = (
        open_filed(scope).values("responsible_unit_id", "request__locality_id").annotate(**counts).order_by()
    )
    for row in pairs:
        if row["overdue"] or row["due_soon"]:
            found = Counter(overdue=row["overdue"], due_soon=row["due_soon"])
            by_unit[row["responsible_unit_id"]].update(found)
            by_locality[row["request__locality_id"]].update(found)
    names = {
        pk: short or name
        for pk, name, short in Unit.objects.filter(id__in=by_unit.keys() | by_locality.keys()).values_list(
            "id", "name", "short_name"
        )
    }
    result = Standing(
        by_unit={(pk, names[pk]): c for pk, c in by_unit.items()},
        by_locality={(pk, names[pk]): c for pk, c in by_locality.items()},
    )
    for counter in result.by_unit.values():  # every item has one responsible unit: the totals add up
        result.totals.update(counter)
    return result


def requests_by_state(scope: Scope) -> dict[str, int]:
    rows = scope.requests().values("state").annotate(n=Count("id")).order_by()
    return {r["state"]: r["n"] for r in rows}


def items_by_stage_and_state(scope: Scope) -> dict[tuple[str, str], int]:
    """Grouped by catalogue item on the item table alone, then folded into stages (a few hundred rows)."""
    rows = scope.items().values("approval_item_id", "state").annotate(n=Count("id")).order_by()
    stages = dict(
        ApprovalItem.objects.filter(id__in={r["approval_item_id"] for r in rows}).values_list("id", "stage")
    )
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        counts[(stages[r["approval_item_id"]], r["state"])] += r["n"]
    return dict(counts)


def monthly_requests(scope: Scope) -> list[tuple[dt.date, int]]:
    rows = (
        scope.requests()
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return [(r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"], r["n"]) for r in rows]


def satisfaction(scope: Scope) -> dict[str, Any]:
    evaluations = Evaluation.objects.filter(request__in=scope.requests())
    figures = evaluations.aggregate(
        n=Count("id"),
        bad=Count("id", filter=Q(is_bad=True)),
        attitude=Avg("attitude"),
        efficiency=Avg("efficiency"),
        integrity=Avg("integrity"),
    )
    levels = evaluations.values("efficiency").annotate(n=Count("id")).order_by("-efficiency")
    figures["by_level"] = {
        r["efficiency"]: r["n"] for r in levels
    }  # labelled when shown, in the reader's language
    return figures


def workload(scope: Scope, limit: int = 15) -> list[dict[str, object]]:
    rows = (
        scope.items()
        .exclude(state__in=DONE_STATES)
        .filter(request__state__in=OPEN_STATES, agent__isnull=False)
        .values("agent_id", name=F("agent__full_name"))
        .annotate(n=Count("id"))
        .order_by("-n", "name")[:limit]
    )
    return list(rows)


def by_jurisdiction(scope: Scope) -> list[dict[str, object]]:
    """The city view: requests and completions per district."""
    rows = (
        scope.requests()
        .values("jurisdiction__code", "jurisdiction__name")
        .annotate(n=Count("id"), completed=Count("id", filter=Q(state=ServiceRequest.State.COMPLETED)))
        .order_by("jurisdiction__code")
    )
    return list(rows)


@dataclass
class Figures:
    """Everything the dashboard shows for one scope, as plain data: computed live, or read from the city
    snapshot (`DashboardSnapshot`), which stores it as JSON."""

    requests_by_state: dict[str, int]
    items_by_stage_and_state: dict[tuple[str, str], int]
    standing: Standing
    satisfaction: dict[str, Any]
    monthly_requests: list[tuple[dt.date, int]]
    workload: list[dict[str, object]]
    by_jurisdiction: list[dict[str, object]]
    # The service's own promises (ADR 0023): per promise, kept on time / late, overdue, running.
    promises: dict[str, dict[str, int]] = field(default_factory=dict)
    # When a snapshot was computed; None for figures computed for this page.
    computed_at: dt.datetime | None = None

    # Bump when the stored shape changes: a snapshot written by the previous release is then ignored (the
    # page counts live) until the job replaces it, instead of failing to read.
    SCHEMA = 2

    def to_json(self) -> dict[str, Any]:
        def rows(counters: dict[tuple[int, str], Counter[str]]) -> list[list[object]]:
            return [[pk, name, c["overdue"], c["due_soon"]] for (pk, name), c in counters.items()]

        return {
            "schema": self.SCHEMA,
            "requests_by_state": self.requests_by_state,
            "items_by_stage_and_state": [
                [stage, state, n] for (stage, state), n in self.items_by_stage_and_state.items()
            ],
            "standing": {
                "by_unit": rows(self.standing.by_unit),
                "by_locality": rows(self.standing.by_locality),
            },
            "satisfaction": {**self.satisfaction, "by_level": list(self.satisfaction["by_level"].items())},
            "monthly_requests": [[month.isoformat(), n] for month, n in self.monthly_requests],
            "workload": self.workload,
            "by_jurisdiction": self.by_jurisdiction,
            "promises": self.promises,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], computed_at: dt.datetime) -> "Figures":
        def counters(rows: list[list[Any]]) -> dict[tuple[int, str], Counter[str]]:
            return {(pk, name): Counter(overdue=overdue, due_soon=soon) for pk, name, overdue, soon in rows}

        standing = Standing(
            by_unit=counters(data["standing"]["by_unit"]),
            by_locality=counters(data["standing"]["by_locality"]),
        )
        for counter in standing.by_unit.values():
            standing.totals.update(counter)
        return cls(
            requests_by_state=data["requests_by_state"],
            items_by_stage_and_state={
                (stage, state): n for stage, state, n in data["items_by_stage_and_state"]
            },
            standing=standing,
            satisfaction={**data["satisfaction"], "by_level": dict(data["satisfaction"]["by_level"])},
            monthly_requests=[(dt.date.fromisoformat(month), n) for month, n in data["monthly_requests"]],
            workload=data["workload"],
            by_jurisdiction=data["by_jurisdiction"],
            promises=data["promises"],
            computed_at=computed_at,
        )


def figures_for(scope: Scope, today: dt.date) -> Figures:
    """Every dashboard figure of `scope`, computed now (about a dozen grouped queries)."""
    return Figures(
        requests_by_state=requests_by_state(scope),
        items_by_stage_and_state=items_by_stage_and_state(scope),
        standing=standing(scope, today),
        satisfaction=satisfaction(scope),
        monthly_requests=monthly_requests(scope),
        workload=workload(scope),
        by_jurisdiction=by_jurisdiction(scope) if len(scope.jurisdiction_ids) > 1 else [],
        promises=promises(scope, today),
    )


def promises(scope: Scope, today: dt.date) -> dict[str, dict[str, int]]:
    """The service's promises started in the period, counted per promise in one grouped query."""
    clocks = clocks_in_scope(
        jurisdiction_ids=scope.jurisdiction_ids,
        unit_ids=scope.unit_ids,
        start_on=scope.start_on,
        end_on=scope.end_on,
    )
    return {promise: dict(counts) for promise, counts in promise_counts(clocks, today).items()}


def city_scope() -> Scope:
    return Scope(
        jurisdiction_ids=frozenset(Jurisdiction.objects.values_list("id", flat=True)), all_jurisdictions=True
    )


def dashboard_figures(scope: Scope, today: dt.date, now: dt.datetime) -> Figures:
    """The city view reads the job's snapshot while it is fresh: computed today (deadline standing changes
    overnight) and at most `DAIBAN_CITY_FIGURES_MAX_AGE_MINUTES` ago. Any other scope, and the city when the
    snapshot is stale, missing (the job is not running) or of another release's shape, is counted now:
    slower, never wrong."""
    if scope.everything:
        fresh = DashboardSnapshot.objects.filter(
            key=DashboardSnapshot.CITY,
            computed_on=today,
            computed_at__gte=now - dt.timedelta(minutes=settings.DAIBAN_CITY_FIGURES_MAX_AGE_MINUTES),
        ).first()
        if fresh is not None and fresh.figures.get("schema") == Figures.SCHEMA:
            return Figures.from_json(fresh.figures, fresh.computed_at)
    return figures_for(scope, today)
