"""考核评比: indicators per unit and per agent for a quarter, a weighted score and a ranking.

Every indicator is a percentage (0–100, higher is better), so the score is a plain weighted mean:

    score = Σ(weight × indicator) / Σ(weight), over the indicators that have data

An indicator without data (no item decided, no evaluation, no call-back, no issue) is left out and the
remaining weights carry the score; the page says which were left out. Weights are configured per
jurisdiction (`AssessmentWeight`, in the admin); without configuration every indicator weighs 1.

Indicators:
- on_time: decided by the deadline / decided, × 100
- speed: average committed limit / average working days used, × 100, at most 100
- satisfaction: (mean evaluation level − 1) / 4 × 100 over attitude, efficiency and integrity
- callbacks: call-backs that reached the applicant and heard 满意 or better / call-backs that reached, × 100
  (for agents: the hall managers' ratings, (mean level − 1) / 4 × 100)
- issues: coordination issues resolved by their deadline / issues due in the quarter, × 100
- promises: the service's own promises (service levels, ADR 0023) started in the quarter and kept by their
  deadline / those kept or overdue, × 100 — for a unit, the promises of requests located in it or with an
  item it is responsible for; for an agent, those they were responsible for
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from daiban.feedback.models import Callback, CallbackRating, Evaluation, Level
from daiban.organizations.models import Jurisdiction, Unit, User
from daiban.service_levels.models import PromiseClock
from daiban.service_levels.selectors import clocks_in_scope, on_time_rates
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.quarters import Quarter
from daiban.workdays.selectors import calendar_for

from .ledger import LEDGER_UNIT_KINDS, Decided, counted_items, decided_tallies, ledger_figures
from .models import AssessmentWeight, CoordinationIssue

INDICATORS = dict(AssessmentWeight.Indicator.choices)


def score(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """The weighted mean of the indicators that have data; None when none has."""
    used = {k: w for k, w in weights.items() if w > 0 and values.get(k) is not None}
    total = sum(used.values())
    if not total:
        return None
    return round(sum(w * float(values[k] or 0) for k, w in used.items()) / total, 2)


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _level_pct(mean: float | None) -> float | None:
    return None if mean is None else round((mean - 1) / 4 * 100, 2)


def weights_for(jurisdiction: Jurisdiction, target: str) -> dict[str, float]:
    configured = {
        w.indicator: float(w.weight)
        for w in AssessmentWeight.objects.filter(jurisdiction=jurisdiction, target=target)
    }
    return (
        {code: configured.get(code, 1.0) for code in INDICATORS}
        if configured
        else dict.fromkeys(INDICATORS, 1.0)
    )


Subject = TypeVar("Subject", Unit, User)


@dataclass(frozen=True)
class Ranked(Generic[Subject]):
    rank: int
    subject: Subject
    score: float | None
    values: dict[str, float | None]


def _rank(
    rows: list[tuple[Subject, dict[str, float | None]]], weights: Mapping[str, float]
) -> list[Ranked[Subject]]:
    scored = [(subject, values, score(values, weights)) for subject, values in rows]
    scored.sort(key=lambda r: (r[2] is None, -(r[2] or 0), str(r[0])))
    ranked: list[Ranked[Subject]] = []
    previous, rank = None, 0
    for position, (subject, values, s) in enumerate(scored, start=1):
        if s != previous:
            rank, previous = position, s  # equal scores share a rank
        ranked.append(Ranked(rank=rank, subject=subject, score=s, values=values))
    return ranked


def _issue_rates(issues: Q, quarter: Quarter, key: str) -> dict[int, float | None]:
    due = CoordinationIssue.objects.filter(issues, due_on__range=quarter.bounds)
    rows = due.values(key).annotate(
        n=Count("id"), ok=Count("id", filter=Q(resolved_at__date__lte=F("due_on")))
    )
    return {r[key]: _pct(r["ok"], r["n"]) for r in rows}


def rank_units(
    jurisdiction: Jurisdiction, quarter: Quarter, *, weights: Mapping[str, float] | None = None
) -> list[Ranked[Unit]]:
    """The units ranked by the weights given (the page shows them too, so it reads them once), or by the
    jurisdiction's configured weights."""
    units = Unit.objects.filter(jurisdiction=jurisdiction, kind__in=LEDGER_UNIT_KINDS)
    figures = ledger_figures(jurisdiction, quarter, units=units).units
    callbacks = _unit_callback_tallies(jurisdiction, quarter)
    issues = _issue_rates(Q(jurisdiction=jurisdiction), quarter, "unit_id")
    promises = _unit_promise_rates(jurisdiction, quarter)
    table: list[tuple[Unit, dict[str, float | None]]] = []
    for unit in units.order_by("kind", "position", "id"):
        f = figures[unit.pk]
        good, heard = callbacks.get(unit.pk, (0, 0))
        table.append(
            (
                unit,
                {
                    "on_time": f.on_time_rate,
                    "speed": min(100.0, round(100 * f.limit_days / f.used_days, 2)) if f.used_days else None,
                    "satisfaction": _level_pct(f.average_rating),
                    "callbacks": _pct(good, heard),
                    "issues": issues.get(unit.pk),
                    "promises": promises.get(unit.pk),
                },
            )
        )
    return _rank(table, weights_for(jurisdiction, "unit") if weights is None else weights)


def _unit_callback_tallies(jurisdiction: Jurisdiction, quarter: Quarter) -> dict[int, tuple[int, int]]:
    """(heard 满意 or better, reached) per unit over the quarter's reached call-backs, each counted once for
    every unit of its request: the responsible units of its counted items and its locality. Two grouped
    queries whose rows are units; reading each call-back joined to every item of its request and adding up
    in Python grew with the data (ranking of units 139 → 210 ms when the data doubled). The locality's
    query leaves out call-backs already counted for it as a responsible unit."""
    reached = Q(
        request__callbacks__jurisdiction=jurisdiction,
        request__callbacks__called_on__range=quarter.bounds,
        request__callbacks__reached=True,
    )
    items = counted_items(jurisdiction)
    tallies: dict[int, tuple[int, int]] = {}
    for row in (
        items.filter(reached)
        .values("responsible_unit_id")
        .annotate(
            n=Count("request__callbacks", distinct=True),
            ok=Count(
                "request__callbacks",
                distinct=True,
                filter=Q(request__callbacks__overall__gte=Level.SATISFIED),
            ),
        )
        .order_by()
    ):
        tallies[row["responsible_unit_id"]] = (row["ok"], row["n"])
    also_responsible = items.filter(
        request_id=OuterRef("request_id"), responsible_unit_id=OuterRef("request__locality_id")
    )
    for row in (
        Callback.objects.filter(
            jurisdiction=jurisdiction,
            called_on__range=quarter.bounds,
            reached=True,
            request__locality__isnull=False,
        )
        .exclude(Exists(also_responsible))
        .values("request__locality_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(overall__gte=Level.SATISFIED)))
        .order_by()
    ):
        ok, n = tallies.get(row["request__locality_id"], (0, 0))
        tallies[row["request__locality_id"]] = (ok + row["ok"], n + row["n"])
    return tallies


def _quarter_clocks(jurisdiction: Jurisdiction, quarter: Quarter) -> QuerySet[PromiseClock]:
    return clocks_in_scope(
        jurisdiction_ids=[jurisdiction.pk], start_on=quarter.first_day, end_on=quarter.last_day
    )


def _unit_promise_rates(jurisdiction: Jurisdiction, quarter: Quarter) -> dict[int, float | None]:
    """Two grouped queries: a department's promises are those of requests with an item it is responsible
    for; a township's or park's those of requests located in it (this one wins for a park that is both)."""
    clocks = _quarter_clocks(jurisdiction, quarter)
    today = timezone.localdate()
    rates = on_time_rates(clocks, "request__items__responsible_unit_id", today)
    rates.update(on_time_rates(clocks, "request__locality_id", today))
    return rates


def rank_agents(
    jurisdiction: Jurisdiction, quarter: Quarter, *, weights: Mapping[str, float] | None = None
) -> list[Ranked[User]]:
    """The agents ranked by the weights given, or by the jurisdiction's configured weights."""
    try:
        calendar = calendar_for(jurisdiction.code)
    except (CalendarYearUnknown, LookupError):
        calendar = None
    handled = counted_items(jurisdiction).filter(agent__isnull=False)
    done = {key[0]: tally for key, tally in decided_tallies([handled], quarter, calendar, "agent_id").items()}
    ratings = {
        r["agent_id"]: (r["a"] + r["e"] + r["i"]) / 3
        for r in Evaluation.objects.filter(jurisdiction=jurisdiction, given_at__date__range=quarter.bounds)
        .values("agent_id")
        .annotate(a=Avg("attitude"), e=Avg("efficiency"), i=Avg("integrity"))
    }
    hall = {
        r["agent_id"]: r["level"]
        for r in CallbackRating.objects.filter(
            callback__jurisdiction=jurisdiction, callback__called_on__range=quarter.bounds
        )
        .values("agent_id")
        .annotate(level=Avg("level"))
    }
    issues = _issue_rates(Q(jurisdiction=jurisdiction, assignee__isnull=False), quarter, "assignee_id")
    promises = on_time_rates(_quarter_clocks(jurisdiction, quarter), "responsible_id", timezone.localdate())
    ids = set(done) | set(ratings) | set(hall) | set(issues) | set(promises)
    table: list[tuple[User, dict[str, float | None]]] = []
    for agent in User.objects.filter(pk__in=ids).order_by("full_name", "id"):
        tally = done.get(agent.pk, Decided())
        on_time, limit, used = tally.on_time, tally.limit_days, tally.used_days
        table.append(
            (
                agent,
                {
                    "on_time": _pct(on_time, tally.items),
                    "speed": min(100.0, round(100 * limit / used, 2)) if used else None,
                    "satisfaction": _level_pct(ratings.get(agent.pk)),
                    "callbacks": _level_pct(hall.get(agent.pk)),
                    "issues": issues.get(agent.pk),
                    "promises": promises.get(agent.pk),
                },
            )
        )
    return _rank(table, weights_for(jurisdiction, "agent") if weights is None else weights)
