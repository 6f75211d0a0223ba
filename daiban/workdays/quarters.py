"""Quarters (季度): the period the reform office's ledgers, rankings and their deadlines are kept by.

`Quarter(2026, 3)` is July to September 2026. A `Quarter` is a value: frozen, hashable, ordered in time,
and always valid — building one outside FIRST_YEAR…LAST_YEAR or with a quarter other than 1 to 4 raises
`InvalidQuarter` (a `ValueError`), whose `user_message` a page shows instead of failing. Parsing accepts
ASCII digits only (`int()` would also read "٣" or " 3" or "2_026").

Pure arithmetic, no ORM: models keep their own `year` and `quarter` columns and build a `Quarter` from them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from .engine import WorkCalendar

FIRST_YEAR = 2000
LAST_YEAR = 2100

_YEAR = re.compile(r"[0-9]{4}")
_NUMBER = re.compile(r"[1-4]")
# Quarters end on 31 March, 30 June, 30 September and 31 December, leap year or not.
_LAST_DAY = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
# What people call each quarter: 第一季度 … 第四季度 (the seeds' wording), not "第3季度" or "Q3".
QUARTER_NAMES: Mapping[int, Promise] = {
    1: gettext_lazy("first quarter"),
    2: gettext_lazy("second quarter"),
    3: gettext_lazy("third quarter"),
    4: gettext_lazy("fourth quarter"),
}


class InvalidQuarter(ValueError):
    """Not a quarter the platform keeps: a year outside FIRST_YEAR…LAST_YEAR, a quarter other than 1 to 4,
    or text that is not such a number."""

    @property
    def user_message(self) -> str:
        """What a person is told (in their language), whatever was wrong."""
        return gettext("Choose a year from %(first)s to %(last)s and a quarter from 1 to 4.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        for value in (self.year, self.number):
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidQuarter(f"a quarter is two integers, not {value!r}")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise InvalidQuarter(f"year {self.year} is outside {FIRST_YEAR}–{LAST_YEAR}")
        if not 1 <= self.number <= 4:
            raise InvalidQuarter(f"quarter {self.number} is not 1 to 4")

    # Building one

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        """Today's quarter, by the local date in Asia/Shanghai (the platform's time zone)."""
        return cls.containing(timezone.localdate(timezone=timezone.get_default_timezone()))

    @classmethod
    def last_ended(cls) -> Quarter:
        """The quarter that ended last: the one a ledger or a ranking is usually about."""
        return cls.current().previous

    @classmethod
    def parse(cls, year: str, number: str) -> Quarter:
        """From text (URL parts, query parameters): a four-digit year and a quarter 1 to 4, ASCII digits."""
        if not (_YEAR.fullmatch(year) and _NUMBER.fullmatch(number)):
            raise InvalidQuarter(f"not a quarter: year {year!r}, quarter {number!r}")
        return cls(int(year), int(number))

    @classmethod
    def from_query(cls, params: Mapping[str, str], default: Quarter) -> Quarter:
        """From `?year=2026&quarter=3` (see `query`); a parameter left out is taken from `default`, one given
        must be valid (an empty one is not)."""
        return cls.parse(params.get("year", str(default.year)), params.get("quarter", str(default.number)))

    # Its days

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        month, day = _LAST_DAY[self.number]
        return dt.date(self.year, month, day)

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        """First and last day, both included (as a `__range` lookup wants them)."""
        return self.first_day, self.last_day

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first_day <= day <= self.last_day

    # Its neighbours

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    # Deadlines

    def due_after(self, calendar: WorkCalendar, working_days: int) -> dt.date:
        """The day `working_days` working days after the quarter's last day (e.g. a ledger's due date).
        Raises `CalendarYearUnknown` when the calendar does not know the days needed."""
        return calendar.add_working_days(self.last_day, working_days)

    # Shown and linked

    @property
    def label(self) -> str:
        """For people, in their language: "2026年第三季度", "2026, third quarter"."""
        return gettext("%(year)s, %(quarter)s") % {"year": self.year, "quarter": QUARTER_NAMES[self.number]}

    @property
    def name(self) -> str:
        """The quarter alone (第三季度), for a picker that sits beside the year."""
        return str(QUARTER_NAMES[self.number])

    @staticmethod
    def choices() -> list[tuple[int, str]]:
        """Every quarter's number and name, for the year-and-quarter pickers."""
        return [(number, str(name)) for number, name in QUARTER_NAMES.items()]

    @property
    def query(self) -> str:
        """The query string `from_query` reads back."""
        return f"year={self.year}&quarter={self.number}"

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"
