"""Item deadlines: where each item stands against its committed limit (`item_clocks`), the deadline the
stored `CaseItem.due_on` must hold (`derived_due_on`), and the writes that keep it so — one item after a
step (`refresh_due_on`), or many after a holiday schedule changed (`refresh_due_dates`). The arithmetic
itself is the working-day engine's (`daiban.workdays`)."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from daiban.workdays.engine import CalendarYearUnknown, WarningLevel, WorkCalendar
from daiban.workdays.engine import ClockStop as Stop
from daiban.workdays.selectors import calendar_for, calendars_for

from .models import CLOCK_STATES, CaseItem


@dataclass(frozen=True)
class ItemClock:
    """Where an item stands against its committed limit, derived from stored dates and clock stops."""

    level: str  # on_time | due_soon | overdue | stopped | not_started | done | late_done | unknown
    label: str
    deadline_on: dt.date | None = None


def item_clocks(
    items: Iterable[CaseItem],
    today: dt.date,
    *,
    due_soon_days: int = 2,
    calendars: Mapping[str, WorkCalendar] | None = None,
) -> dict[int, ItemClock]:
    """One clock per item. What the clocks read (each item's `stops`, `approval_item` and its request's
    jurisdiction) is fetched here for every item that does not come with it, in one query each for the
    whole batch: a caller cannot make a page cost a query per item by forgetting a prefetch. A caller that
    already holds the calendars (by jurisdiction code) passes them, so their freshness is not read twice."""
    items = list(items)
    prefetch_related_objects(items, "stops", "approval_item", "request__jurisdiction")
    if calendars is None:
        calendars = _calendars(
            {item.request.jurisdiction.code for item in items if item.filed_on is not None}
        )
    clocks: dict[int, ItemClock] = {}
    for item in items:
        if item.filed_on is None:
            clocks[item.pk] = ItemClock("not_started", _("clock starts at filing"))
            continue
        code = item.request.jurisdiction.code
        try:
            calendar = calendars[code]
            stops = [Stop(s.start_on, s.end_on, s.kind) for s in item.stops.all()]
            deadline = calendar.deadline(item.filed_on, item.time_limit_days, stops, as_of=today)
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
            item.time_limit_days,
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


def refresh_due_on(item: CaseItem) -> CaseItem:
    """Keep one item's stored deadline in step with the filing date and the stops a step just changed."""
    due_on = derived_due_on(item)
    CaseItem.objects.filter(pk=item.pk).update(due_on=due_on)
    item.due_on = due_on
    return item
