"""Dashboard figures, aggregated in the database and scoped before anything is counted.

Scope: supervisors see their jurisdictions (a city supervisor, the city's districts); coordinators their
units (items their unit is responsible for, or requests located in their township or park). Every figure is
one grouped query; only the deadline standing of open, filed items is derived in Python from their stored
dates and stops (the same `item_clocks` the pages use), over the open items alone."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from daiban.cases.item_states import CLOCK_STATES
from daiban.cases.models import OPEN_STATES, CaseItem, ServiceRequest
from daiban.cases.selectors import item_clocks
from daiban.feedback.models import Evaluation, Level
from daiban.organizations.models import Jurisdiction, Role
from daiban.organizations.selectors import active_roles, jurisdictions_where


@dataclass(frozen=True)
class Scope:
    """What one person may count: jurisdictions (supervisor) or units (coordinator)."""

    jurisdiction_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    start_on: dt.date | None = None
    end_on: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not self.jurisdiction_ids and not self.unit_ids

    def requests(self) -> QuerySet[ServiceRequest]:
        qs = ServiceRequest.objects.all()
        if self.jurisdiction_ids:
            qs = qs.filter(jurisdiction_id__in=self.jurisdiction_ids)
        else:
            qs = qs.filter(
                Q(locality_id__in=self.unit_ids)
                | Q(
                    id__in=CaseItem.objects.filter(responsible_unit_id__in=self.unit_ids).values("request_id")
                )
            )
        if self.start_on:
            qs = qs.filter(submitted_at__date__gte=self.start_on)
        if self.end_on:
            qs = qs.filter(submitted_at__date__lte=self.end_on)
        return qs

    def items(self) -> QuerySet[CaseItem]:
        qs = CaseItem.objects.filter(request__in=self.requests())
        if not self.jurisdiction_ids:
            qs = qs.filter(
                Q(responsible_unit_id__in=self.unit_ids) | Q(request__locality_id__in=self.unit_ids)
            )
        return qs


def scope_for(
    user: object, *, jurisdiction: Jurisdiction | None, start_on: dt.date | None, end_on: dt.date | None
) -> Scope:
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    if supervised:
        ids = {jurisdiction.pk} & supervised if jurisdiction else supervised
        return Scope(jurisdiction_ids=frozenset(ids), start_on=start_on, end_on=end_on)
    units = {a.unit_id for a in active_roles(user) if a.role == Role.COORDINATOR and a.unit_id}
    return Scope(unit_ids=frozenset(units), start_on=start_on, end_on=end_on)


@dataclass
class Standing:
    """Open, filed items by deadline standing, per responsible unit, per locality and per agent."""

    totals: Counter[str] = field(default_factory=Counter)
    by_unit: dict[tuple[int, str], Counter[str]] = field(default_factory=dict)
    by_locality: dict[tuple[int, str], Counter[str]] = field(default_factory=dict)


def standing(scope: Scope, today: dt.date) -> Standing:
    open_items = (
        scope.items()
        .filter(state__in=CLOCK_STATES, request__state__in=OPEN_STATES, filed_on__isnull=False)
        .select_related("request__jurisdiction", "request__locality", "approval_item", "responsible_unit")
        .prefetch_related("stops")
        .only(
            "id", "filed_on", "decided_on", "state", "responsible_unit__id", "responsible_unit__short_name",
            "responsible_unit__name", "approval_item__time_limit_days", "request__jurisdiction__code",
            "request__locality__id", "request__locality__short_name", "request__locality__name",
        )
    )  # fmt: skip
    result = Standing()
    items = list(open_items)
    clocks = item_clocks(items, today)
    for item in items:
        level = clocks[item.pk].level
        result.totals[level] += 1
        unit = item.responsible_unit
        locality = item.request.locality
        result.by_unit.setdefault((unit.pk, unit.short_name or unit.name), Counter())[level] += 1
        result.by_locality.setdefault((locality.pk, locality.short_name or locality.name), Counter())[
            level
        ] += 1
    return result


def requests_by_state(scope: Scope) -> dict[str, int]:
    rows = scope.requests().values("state").annotate(n=Count("id")).order_by()
    return {r["state"]: r["n"] for r in rows}


def items_by_stage_and_state(scope: Scope) -> dict[tuple[str, str], int]:
    rows = scope.items().values("approval_item__stage", "state").annotate(n=Count("id")).order_by()
    return {(r["approval_item__stage"], r["state"]): r["n"] for r in rows}


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
        n=Count("id"), bad=Count("id", filter=Q(is_bad=True)), attitude=Avg("attitude"), efficiency=Avg("efficiency"),
        integrity=Avg("integrity"),
    )  # fmt: skip
    levels = evaluations.values("efficiency").annotate(n=Count("id")).order_by()
    figures["by_level"] = {Level(r["efficiency"]).label: r["n"] for r in levels}
    return figures


def workload(scope: Scope, limit: int = 15) -> list[dict[str, object]]:
    rows = (
        scope.items()
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
