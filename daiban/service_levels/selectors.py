"""Reads of the promise clocks, scoped to the viewer, and the counts the oversight pages show."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from daiban.cases.models import CaseItem
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role
from daiban.organizations.selectors import coordinator_units, jurisdictions_where
from daiban.workdays.engine import CalendarYearUnknown, WarningLevel, WorkCalendar
from daiban.workdays.selectors import calendars_for

from .models import Promise, PromiseClock

KEPT_ON_TIME = Q(met_on__isnull=False, due_on__isnull=False, met_on__lte=F("due_on"))
KEPT_LATE = Q(met_on__isnull=False, due_on__isnull=False, met_on__gt=F("due_on"))


def visible_clocks(user: Viewer) -> QuerySet[PromiseClock]:
    """Supervisors see their jurisdictions' clocks; coordinators those of requests in their townships and
    parks and their jurisdictions' consultations; everyone the clocks they are responsible for."""
    seen = Q(responsible_id=user.pk)
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    if supervised:
        seen |= Q(jurisdiction_id__in=supervised)
    units = coordinator_units(user)
    if units:
        seen |= Q(request__locality_id__in=units)
        seen |= Q(
            promise=Promise.CONSULTATION,
            jurisdiction_id__in=jurisdictions_where(user, Role.COORDINATOR),
        )
    return PromiseClock.objects.filter(seen)


@dataclass(frozen=True)
class PromiseStanding:
    """Where a promise stands, in the words and colours of item deadlines (cases/_clock.html)."""

    level: str  # on_time | due_soon | overdue | stopped | done | late_done | unknown
    label: str


def standing_of(clock: PromiseClock, calendar: WorkCalendar | None, today: dt.date) -> PromiseStanding:
    if clock.met_on is not None:
        late = clock.due_on is not None and clock.met_on > clock.due_on
        label = _("decided %(on)s, deadline %(deadline)s") % {"on": clock.met_on, "deadline": clock.due_on}
        return PromiseStanding("late_done" if late else "done", label)
    if clock.paused:
        return PromiseStanding("stopped", _("clock stopped: the applicant is correcting materials"))
    if clock.due_on is None or calendar is None:
        return PromiseStanding("unknown", _("holiday schedule missing: deadline unknown"))
    try:
        standing = calendar.standing(clock.due_on, today, due_soon_days=settings.DAIBAN_DUE_SOON_WORKING_DAYS)
    except CalendarYearUnknown:
        return PromiseStanding("unknown", _("holiday schedule missing: deadline unknown"))
    where = {"deadline": clock.due_on}
    if standing.level == WarningLevel.OVERDUE:
        label = _("overdue by %(n)s working days (deadline %(deadline)s)") % {
            **where,
            "n": standing.overdue_days,
        }
    elif standing.level == WarningLevel.DUE_SOON:
        label = _("due soon: %(n)s working days left (deadline %(deadline)s)") % {
            **where,
            "n": standing.remaining_days,
        }
    else:
        label = _("on time: %(n)s working days left (deadline %(deadline)s)") % {
            **where,
            "n": standing.remaining_days,
        }
    return PromiseStanding(str(standing.level), label)


def standings(clocks: Iterable[PromiseClock], today: dt.date) -> list[tuple[PromiseClock, PromiseStanding]]:
    """Each clock with its standing; the calendars read once for the lot."""
    clocks = list(clocks)
    try:
        calendars = calendars_for({c.jurisdiction.code for c in clocks}) if clocks else {}
    except LookupError:
        calendars = {}
    return [(c, standing_of(c, calendars.get(c.jurisdiction.code), today)) for c in clocks]


def open_clocks(user: Viewer, *, limit: int = 200) -> QuerySet[PromiseClock]:
    """The viewer's promises not yet kept, the most urgent first."""
    return (
        visible_clocks(user)
        .filter(met_on__isnull=True)
        .select_related("jurisdiction", "request__jurisdiction", "responsible")
        .order_by(F("due_on").asc(nulls_last=True), "id")[:limit]
    )


COUNTED = ("on_time", "late", "overdue", "running")


def promise_counts(clocks: QuerySet[PromiseClock], today: dt.date) -> dict[str, Counter[str]]:
    """Per promise: kept on time, kept late, overdue (not kept, deadline passed) and running (not kept,
    within its deadline or paused) — one grouped query, whatever the number of clocks."""
    rows = (
        clocks.values("promise")
        .annotate(
            on_time=Count("id", filter=KEPT_ON_TIME),
            late=Count("id", filter=KEPT_LATE),
            overdue=Count("id", filter=Q(met_on__isnull=True, due_on__lt=today)),
            running=Count(
                "id", filter=Q(met_on__isnull=True) & (Q(due_on__gte=today) | Q(due_on__isnull=True))
            ),
        )
        .order_by()
    )
    found = {row["promise"]: Counter({k: row[k] for k in COUNTED}) for row in rows}
    return {p.value: found.get(p.value, Counter()) for p in Promise}


def promise_rows(counts: dict[str, Counter[str]]) -> list[dict[str, Any]]:
    """For a table: one row per promise, its label and counts, and the share kept on time of those decided
    (kept, or overdue) — None when there is nothing to judge yet."""
    rows = []
    for promise in Promise:
        c = counts.get(promise.value, Counter())
        judged = c["on_time"] + c["late"] + c["overdue"]
        rows.append(
            {
                "promise": promise.value,
                "label": promise.label,
                **{k: c[k] for k in COUNTED},
                "on_time_rate": round(100 * c["on_time"] / judged, 1) if judged else None,
            }
        )
    return rows


def clocks_in_scope(
    *,
    jurisdiction_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
    start_on: dt.date | None = None,
    end_on: dt.date | None = None,
) -> QuerySet[PromiseClock]:
    """The clocks a dashboard, ledger or ranking counts: those of jurisdictions, or of units (requests
    located in the township or park, or with an item the department is responsible for, and — for a
    jurisdiction-wide promise like a consultation — none), started within the period."""
    clocks = PromiseClock.objects.all()
    if jurisdiction_ids:
        clocks = clocks.filter(jurisdiction_id__in=list(jurisdiction_ids))
    else:
        units = list(unit_ids)
        clocks = clocks.filter(
            Q(request__locality_id__in=units)
            | Q(request_id__in=CaseItem.objects.filter(responsible_unit_id__in=units).values("request_id"))
        )
    if start_on:
        clocks = clocks.filter(started_on__gte=start_on)
    if end_on:
        clocks = clocks.filter(started_on__lte=end_on)
    return clocks


def on_time_rates(clocks: QuerySet[PromiseClock], key: str, today: dt.date) -> dict[int, float | None]:
    """Per `key` (e.g. `responsible_id`, `request__locality_id`): promises kept on time ÷ promises judged
    (kept, or overdue on `today`), × 100 — one grouped query."""
    rows = (
        clocks.filter(
            Q(met_on__isnull=False, due_on__isnull=False) | Q(met_on__isnull=True, due_on__lt=today)
        )
        .values(key)
        .annotate(n=Count("id", distinct=True), ok=Count("id", filter=KEPT_ON_TIME, distinct=True))
        .order_by()
    )
    return {r[key]: round(100 * r["ok"] / r["n"], 2) if r["n"] else None for r in rows if r[key] is not None}
