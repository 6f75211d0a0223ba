"""Working-day arithmetic: pure, typed, no ORM.

Every promise in the service is in working days (承诺时限，工作日). A `WorkCalendar` is built once from the
known years' exceptions (public holidays, and make-up working days 调休上班日 on weekends) and precomputes,
for every day it covers, how many working days have passed since its first day. Every question then costs a
couple of array look-ups, never a day-by-day loop.

Conventions (docs/adr/0005):
- Counting starts the day *after* the start date: the first working day after acceptance is day 1
  (行政许可法第八十二条 counts working days; 民法典第二百零一条: the starting day is not counted). A limit of
  N working days therefore ends on the N-th working day after the start date, and that whole day is
  still on time.
- A clock stop covers whole days, both ends included: a correction notice issued on day S and answered on
  day E stops the clock on S…E, and counting resumes the day after E. Working days inside a stop do not
  count; stops only ever push a deadline later. A stop that begins after the clock has already run out
  changes nothing (the item was overdue by then).
- A date in a year the calendar does not know raises `CalendarYearUnknown`: guessing would silently move
  legal deadlines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext

ONE_DAY = dt.timedelta(days=1)


class CalendarYearUnknown(LookupError):
    """The calendar has no schedule for this year (the State Council announces each year in November)."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"the working-day calendar has no schedule for {year}")

    @property
    def user_message(self) -> str:
        """What a person is told (in their language) instead of a guessed date."""
        return gettext(
            "The holiday schedule for %(year)s has not been entered; deadlines running into %(year)s "
            "cannot be computed."
        ) % {"year": self.year}


@dataclass(frozen=True)
class ClockStop:
    """Days on which the clock does not run: a correction round (补正) or a special procedure
    (公示, 专家评审, 听证 …). `end_on=None` means the stop is still running."""

    start_on: dt.date
    end_on: dt.date | None = None
    reason: str = ""


class WarningLevel(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Standing:
    """Where an item stands on a given day against its deadline."""

    deadline_on: dt.date
    remaining_days: int  # working days left after today, up to and including the deadline; 0 once due
    overdue_days: int  # working days passed since the deadline; 0 while not overdue
    level: WarningLevel


class WorkCalendar:
    """Precomputed working days for a set of known years."""

    def __init__(
        self,
        years: Iterable[int],
        holidays: Iterable[dt.date] = (),
        makeup_workdays: Iterable[dt.date] = (),
    ) -> None:
        self.years = frozenset(years)
        if not self.years:
            raise ValueError("a working-day calendar needs at least one known year")
        first_year, last_year = min(self.years), max(self.years)
        self._first = dt.date(first_year, 1, 1).toordinal()
        self._last = dt.date(last_year, 12, 31).toordinal()
        size = self._last - self._first + 1
        weekday = (np.arange(size) + dt.date(first_year, 1, 1).weekday()) % 7
        working = weekday < 5
        for day in holidays:
            if self._first <= day.toordinal() <= self._last:
                working[day.toordinal() - self._first] = False
        for day in makeup_workdays:
            if self._first <= day.toordinal() <= self._last:
                working[day.toordinal() - self._first] = True
        # count[i]: working days from the first covered day up to and including day i.
        self._count_np: npt.NDArray[np.int64] = np.cumsum(working, dtype=np.int64)
        # workday[k]: ordinal of the (k+1)-th working day.
        self._workday_np: npt.NDArray[np.int64] = (np.flatnonzero(working) + self._first).astype(np.int64)
        self._working = working.tolist()
        self._count: list[int] = self._count_np.tolist()
        self._workday: list[int] = self._workday_np.tolist()

    def assuming_weekdays_through(self, year: int) -> WorkCalendar:
        """A copy that also covers the years up to `year` whose schedule is not entered, counting Monday
        to Friday as working days there (for plans, which must show something; never for deadlines).
        The known years keep their holidays and make-up days."""
        holidays, makeup = [], []
        for index, working in enumerate(self._working):
            day = dt.date.fromordinal(self._first + index)
            if day.year not in self.years:
                continue
            if working and day.weekday() >= 5:
                makeup.append(day)
            elif not working and day.weekday() < 5:
                holidays.append(day)
        years = set(self.years) | set(range(min(self.years), year + 1))
        return WorkCalendar(years, holidays, makeup)

    # --- look-ups -------------------------------------------------------------------------------------

    def _index(self, day: dt.date) -> int:
        if day.year not in self.years:
            raise CalendarYearUnknown(day.year)
        return day.toordinal() - self._first

    def _worked_through(self, day: dt.date) -> int:
        """Working days from the calendar's first day up to and including `day`."""
        return self._count[self._index(day)]

    def _nth_working_day(self, n: int) -> dt.date:
        if n < 1:
            raise CalendarYearUnknown(min(self.years) - 1)
        if n > len(self._workday):
            raise CalendarYearUnknown(max(self.years) + 1)
        day = dt.date.fromordinal(self._workday[n - 1])
        if day.year not in self.years:
            raise CalendarYearUnknown(day.year)
        return day

    def knows(self, year: int) -> bool:
        return year in self.years

    # --- the arithmetic -------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._working[self._index(day)])

    def working_days_between(self, start_on: dt.date, end_on: dt.date) -> int:
        """Working days after `start_on` up to and including `end_on` (negative if `end_on` is earlier)."""
        return self._worked_through(end_on) - self._worked_through(start_on)

    def add_working_days(self, start_on: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start_on` (day 1 is the first working day after it)."""
        if days < 0:
            raise ValueError("days must not be negative")
        if days == 0:
            return start_on
        return self._nth_working_day(self._worked_through(start_on) + days)

    def deadline(
        self,
        start_on: dt.date,
        limit_days: int,
        stops: Sequence[ClockStop] = (),
        *,
        as_of: dt.date | None = None,
    ) -> dt.date:
        """The last day of a `limit_days` working-day limit counted from `start_on`, pushed back by the
        working days spent in clock stops. An open stop runs until `as_of` (required if any stop is open)."""
        if limit_days < 0:
            raise ValueError("limit_days must not be negative")
        if limit_days == 0:
            return start_on
        target = self._worked_through(start_on) + limit_days
        counted_until = start_on  # stops never count a day twice, nor a day before the clock started
        for stop in sorted(stops, key=lambda s: s.start_on):
            end_on = stop.end_on if stop.end_on is not None else as_of
            if end_on is None:
                raise ValueError("an open clock stop needs as_of to be counted")
            begin_on = max(stop.start_on, counted_until + ONE_DAY)
            if end_on < begin_on:
                continue
            already_counted = self._worked_through(begin_on - ONE_DAY)
            if already_counted >= target:
                break  # the clock had run out before this stop began
            target += self._worked_through(end_on) - already_counted
            counted_until = end_on
        return self._nth_working_day(target)

    def standing(self, deadline_on: dt.date, today: dt.date, *, due_soon_days: int = 2) -> Standing:
        """On time, due soon (at most `due_soon_days` working days left after today) or overdue."""
        if today > deadline_on:
            return Standing(
                deadline_on, 0, self.working_days_between(deadline_on, today), WarningLevel.OVERDUE
            )
        remaining = self.working_days_between(today, deadline_on)
        level = WarningLevel.DUE_SOON if remaining <= due_soon_days else WarningLevel.ON_TIME
        return Standing(deadline_on, remaining, 0, level)

    # --- many at once ---------------------------------------------------------------------------------

    def deadlines(
        self,
        start_ordinals: npt.NDArray[np.int64],
        limit_days: npt.NDArray[np.int64],
        stop_starts: npt.NDArray[np.int64] | None = None,
        stop_ends: npt.NDArray[np.int64] | None = None,
    ) -> npt.NDArray[np.int64]:
        """Vectorised `deadline` for closed stops: ordinals in, ordinals out. `stop_starts`/`stop_ends`
        have shape (items, k): per row sorted by start and not overlapping, 0 where an item has fewer stops.
        Used for batch recomputation (sweeps, dashboards, plans); gives the same dates as `deadline`."""
        idx = start_ordinals - self._first
        outside = (idx < 0) | (idx >= self._count_np.size)
        if outside.any():
            raise CalendarYearUnknown(dt.date.fromordinal(int(start_ordinals[np.argmax(outside)])).year)
        start_count = self._count_np[idx]
        target = start_count + limit_days
        if stop_starts is not None and stop_ends is not None:
            for k in range(stop_starts.shape[1]):
                s, e = stop_starts[:, k], stop_ends[:, k]
                present = s > 0
                begin = np.maximum(s, start_ordinals + 1)
                valid = present & (e >= begin)
                b_idx = np.clip(begin - self._first - 1, 0, self._count_np.size - 1)
                e_idx = np.clip(e - self._first, 0, self._count_np.size - 1)
                before = np.where(begin - self._first - 1 >= 0, self._count_np[b_idx], 0)
                already = np.maximum(before, start_count)
                counts = valid & (before < target)
                target = target + np.where(counts, self._count_np[e_idx] - already, 0)
        target = np.where(limit_days == 0, 0, target)
        if target.size and target.max() > self._workday_np.size:
            raise CalendarYearUnknown(max(self.years) + 1)
        out = self._workday_np[np.maximum(target, 1) - 1]
        return np.where(limit_days == 0, start_ordinals, out)
