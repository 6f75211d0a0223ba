"""Writes to the calendar: seeding known years from the chinese-calendar library."""

import chinese_calendar
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from daiban.common.audit import AuditVerb, record

from .models import CalendarDay, CalendarYear

# chinese-calendar's English holiday names, as the State Council notices name them.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
LIBRARY_NOTICE = "chinese-calendar 1.11.0（据国务院办公厅历年部分节假日安排的通知）"


def library_years() -> range:
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return range(first, last + 1)


def _name(value: object) -> str:
    text = str(value) if value is not None else ""
    return HOLIDAY_NAMES.get(text, text)


@transaction.atomic
def seed_calendar_from_library(*, by: AbstractBaseUser | None = None) -> list[int]:
    """Store every year the library knows that is not stored yet. Years already stored — in particular
    years an administrator entered or corrected — are left alone. Returns the years added."""
    stored = set(CalendarYear.objects.filter(jurisdiction_code="").values_list("year", flat=True))
    added = []
    for year in library_years():
        if year in stored:
            continue
        calendar_year = CalendarYear.objects.create(
            year=year, jurisdiction_code="", source=CalendarYear.Source.LIBRARY, notice=LIBRARY_NOTICE
        )
        days = [
            CalendarDay(calendar_year=calendar_year, date=d, kind=CalendarDay.Kind.HOLIDAY, name=_name(n))
            for d, n in chinese_calendar.holidays.items()
            if d.year == year
        ] + [
            CalendarDay(
                calendar_year=calendar_year,
                date=d,
                kind=CalendarDay.Kind.MAKEUP_WORKDAY,
                name=f"{_name(n)}调休上班",
            )
            for d, n in chinese_calendar.workdays.items()
            if d.year == year and d.weekday() >= 5
        ]
        CalendarDay.objects.bulk_create(days)
        record(
            actor=by,
            verb=AuditVerb.CALENDAR_YEAR_SEEDED,
            target=calendar_year,
            after={"year": year, "days": len(days), "source": LIBRARY_NOTICE},
        )
        added.append(year)
    return added
