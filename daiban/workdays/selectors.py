"""The working-day calendar as the rest of the system sees it.

`calendar_for()` builds a `WorkCalendar` from the stored years and keeps it per process, keyed by a
fingerprint of the stored rows (one aggregate query per call), so an administrator's edit is used by the
very next computation in every process, and nothing stale survives in memory.
"""

import datetime as dt
import threading

from django.db.models import Count, Max

from .engine import WorkCalendar
from .models import CalendarDay, CalendarYear

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], WorkCalendar]] = {}


def _fingerprint(jurisdiction_code: str) -> tuple[object, ...]:
    codes = ["", jurisdiction_code] if jurisdiction_code else [""]
    stored = CalendarYear.objects.filter(jurisdiction_code__in=codes).aggregate(
        year_count=Count("id", distinct=True),
        year_at=Max("updated_at"),
        day_count=Count("days"),
        day_at=Max("days__updated_at"),
    )
    return (stored["year_count"], stored["year_at"], stored["day_count"], stored["day_at"])


def known_years(jurisdiction_code: str = "") -> set[int]:
    """Years whose national schedule is stored (local rows only add exceptions)."""
    return set(CalendarYear.objects.filter(jurisdiction_code="").values_list("year", flat=True))


def calendar_for(jurisdiction_code: str = "") -> WorkCalendar:
    key = jurisdiction_code
    fingerprint = _fingerprint(jurisdiction_code)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
    calendar = _build(jurisdiction_code)
    with _lock:
        _cache[key] = (fingerprint, calendar)
    return calendar


def _build(jurisdiction_code: str) -> WorkCalendar:
    years = known_years(jurisdiction_code)
    if not years:
        raise LookupError("no working-day calendar year is stored: run `manage.py seed_calendar`")
    codes = ["", jurisdiction_code] if jurisdiction_code else [""]
    rows = CalendarDay.objects.filter(calendar_year__jurisdiction_code__in=codes).values_list(
        "date", "kind", "calendar_year__jurisdiction_code"
    )
    # Local rows win over national ones for the same date.
    kinds: dict[dt.date, str] = {}
    for date, kind, _code in sorted(rows, key=lambda r: r[2] != ""):
        kinds[date] = kind
    return WorkCalendar(
        years=years,
        holidays=[d for d, k in kinds.items() if k == CalendarDay.Kind.HOLIDAY],
        makeup_workdays=[d for d, k in kinds.items() if k == CalendarDay.Kind.MAKEUP_WORKDAY],
    )


def missing_next_year(today: dt.date) -> int | None:
    """The coming year if its national schedule is not stored yet (administrators are warned)."""
    nxt = today.year + 1
    return None if nxt in known_years() else nxt
