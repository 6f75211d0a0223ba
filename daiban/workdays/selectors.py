"""The working-day calendar as the rest of the system sees it.

`calendar_for()` builds a `WorkCalendar` from the stored years and keeps it per process, keyed by a
fingerprint of the stored rows (one aggregate query per call), so an administrator's edit is used by the
very next computation in every process, and nothing stale survives in memory.
"""

import datetime as dt
import threading
from collections.abc import Iterable

from django.db.models import Count, Max

from .engine import WorkCalendar
from .models import CalendarDay, CalendarYear

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], WorkCalendar]] = {}


def _fingerprints(jurisdiction_codes: set[str]) -> dict[str, tuple[str, tuple[object, ...]]]:
    """One aggregate query for any number of jurisdictions. A jurisdiction's calendar is the national rows
    plus its own: it is keyed by its own code when it has local rows, else it is the national calendar."""
    stored = {
        row.pop("jurisdiction_code"): row
        for row in CalendarYear.objects.filter(jurisdiction_code__in=jurisdiction_codes | {""})
        .values("jurisdiction_code")
        .annotate(
            year_count=Count("id", distinct=True),
            year_at=Max("updated_at"),
            day_count=Count("days"),
            day_at=Max("days__updated_at"),
        )
        .order_by()
    }
    result = {}
    for code in jurisdiction_codes:
        source = code if code in stored else ""
        groups = [stored[c] for c in {"", source} if c in stored]
        result[code] = (
            source,
            tuple(
                combine(g[name] for g in groups if g[name] is not None)
                for name, combine in (
                    ("year_count", sum),
                    ("year_at", _latest),
                    ("day_count", sum),
                    ("day_at", _latest),
                )
            ),
        )
    return result


def _latest(values: Iterable[dt.datetime]) -> dt.datetime | None:
    return max(values, default=None)


def known_years(jurisdiction_code: str = "") -> set[int]:
    """Years whose national schedule is stored (local rows only add exceptions)."""
    return set(CalendarYear.objects.filter(jurisdiction_code="").values_list("year", flat=True))


def calendar_for(jurisdiction_code: str = "") -> WorkCalendar:
    return calendars_for({jurisdiction_code})[jurisdiction_code]


def calendars_for(jurisdiction_codes: set[str]) -> dict[str, WorkCalendar]:
    """The calendars of several jurisdictions with one freshness query (a city-wide count needs forty);
    those without local rows share the national one. Raises LookupError, like `calendar_for`, when no year
    is stored at all."""
    calendars = {}
    for code, (source, fingerprint) in _fingerprints(jurisdiction_codes).items():
        with _lock:
            cached = _cache.get(source)
        if cached is None or cached[0] != fingerprint:
            cached = (fingerprint, _build(source))
            with _lock:
                _cache[source] = cached
        calendars[code] = cached[1]
    return calendars


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
