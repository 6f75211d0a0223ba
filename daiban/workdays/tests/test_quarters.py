import dataclasses
import datetime as dt
import itertools

import pytest
from django.http import QueryDict
from django.utils import timezone, translation

from daiban.workdays.engine import CalendarYearUnknown, WorkCalendar
from daiban.workdays.quarters import FIRST_YEAR, LAST_YEAR, InvalidQuarter, Quarter

D = dt.date
Q = Quarter


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [
        (Q(2026, 1), D(2026, 1, 1), D(2026, 3, 31)),
        (Q(2026, 2), D(2026, 4, 1), D(2026, 6, 30)),
        (Q(2026, 3), D(2026, 7, 1), D(2026, 9, 30)),
        (Q(2026, 4), D(2026, 10, 1), D(2026, 12, 31)),
        (Q(FIRST_YEAR, 1), D(2000, 1, 1), D(2000, 3, 31)),
        (Q(LAST_YEAR, 4), D(2100, 10, 1), D(2100, 12, 31)),
    ],
)
def test_bounds(quarter, first, last):
    assert (quarter.first_day, quarter.last_day) == quarter.bounds == (first, last)
    assert first in quarter and last in quarter
    assert first - dt.timedelta(days=1) not in quarter and last + dt.timedelta(days=1) not in quarter


@pytest.mark.parametrize(
    ("year", "days"),
    [(2026, 90), (2028, 91), (2000, 91), (2100, 90)],  # 2000 is a leap year, 2100 is not
)
def test_first_quarter_counts_february_29_in_leap_years(year, days):
    first, last = Q(year, 1).bounds
    assert (last - first).days + 1 == days


@pytest.mark.parametrize("year", [2024, 2026, 2100])
def test_the_quarters_tile_the_year(year):
    quarters = [Q(year, n) for n in (1, 2, 3, 4)]
    assert quarters[0].first_day == D(year, 1, 1) and quarters[-1].last_day == D(year, 12, 31)
    for before, after in itertools.pairwise(quarters):
        assert after.first_day - before.last_day == dt.timedelta(days=1)
    day = D(year, 1, 1)
    while day.year == year:
        assert day in Q.containing(day) and Q.containing(day) == quarters[(day.month - 1) // 3]
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 3, 31), Q(2026, 1)),
        (D(2026, 4, 1), Q(2026, 2)),
        (D(2028, 2, 29), Q(2028, 1)),
        (D(2026, 12, 31), Q(2026, 4)),
        (D(2027, 1, 1), Q(2027, 1)),
    ],
)
def test_containing(day, expected):
    assert Q.containing(day) == expected


def test_previous_and_next_cross_year_ends():
    assert Q(2026, 1).previous == Q(2025, 4)
    assert Q(2025, 4).next == Q(2026, 1)
    assert Q(2026, 3).previous == Q(2026, 2) and Q(2026, 3).next == Q(2026, 4)
    quarter = Q(2024, 2)
    for _ in range(20):
        assert quarter.next.previous == quarter == quarter.previous.next
        assert quarter.next.first_day == quarter.last_day + dt.timedelta(days=1)
        quarter = quarter.next
    with pytest.raises(InvalidQuarter):
        _ = Q(FIRST_YEAR, 1).previous
    with pytest.raises(InvalidQuarter):
        _ = Q(LAST_YEAR, 4).next


def test_a_value_ordered_in_time_and_hashable():
    assert sorted([Q(2026, 1), Q(2025, 4), Q(2026, 4), Q(2025, 1)]) == [
        Q(2025, 1),
        Q(2025, 4),
        Q(2026, 1),
        Q(2026, 4),
    ]
    assert Q(2025, 4) < Q(2026, 1) and max(Q(2026, 2), Q(2026, 3)) == Q(2026, 3)
    assert {Q(2026, 3): "a"}[Q(2026, 3)] == "a" and len({Q(2026, 3), Q(2026, 3), Q(2026, 4)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        Q(2026, 3).number = 4  # type: ignore[misc]  # the write the type forbids, refused


@pytest.mark.parametrize(
    ("year", "number"),
    [
        (2026, 0),
        (2026, 5),
        (2026, -1),
        (1999, 4),
        (2101, 1),
        (0, 1),
        (99999, 3),
        (True, 1),
        ("2026", 3),
        (2026, 3.0),
    ],
)
def test_only_sane_quarters_exist(year, number):
    with pytest.raises(InvalidQuarter):
        Q(year, number)
    assert issubclass(InvalidQuarter, ValueError)  # what callers that know nothing of quarters catch


def test_parse():
    assert Q.parse("2026", "3") == Q(2026, 3)
    assert Q.parse("2000", "1") == Q(2000, 1) and Q.parse("2100", "4") == Q(2100, 4)


@pytest.mark.parametrize(
    ("year", "number"),
    [
        ("2026", "0"),
        ("2026", "5"),
        ("2026", "abc"),
        ("2026", "٣"),  # Arabic-Indic three: int() reads it, a quarter does not
        ("٢٠٢٦", "3"),
        ("２０２６", "3"),  # full-width digits
        ("99999", "3"),
        ("", "3"),
        ("2026", ""),
        ("", ""),
        ("1999", "4"),
        ("2101", "1"),
        (" 2026", "3"),
        ("2026", "3 "),
        ("2026", "+3"),
        ("2026", "03"),
        ("2026\n", "3"),
        ("20_26", "3"),
        ("2026", "Q3"),
    ],
)
def test_parse_refuses_bad_input(year, number):
    with pytest.raises(InvalidQuarter):
        Q.parse(year, number)


def test_from_query_defaults_what_is_left_out():
    default = Q(2026, 3)
    assert Q.from_query(QueryDict(""), default) == default
    assert Q.from_query(QueryDict("year=2025"), default) == Q(2025, 3)
    assert Q.from_query(QueryDict("quarter=1&j=500242"), default) == Q(2026, 1)
    assert Q.from_query(QueryDict(Q(2024, 4).query), default) == Q(2024, 4)
    for bad in ("year=", "quarter=", "year=abc", "quarter=%D9%A3", "year=99999", "quarter=5"):
        with pytest.raises(InvalidQuarter):
            Q.from_query(QueryDict(bad), default)


def test_current_is_todays_quarter_in_shanghai(monkeypatch):
    # 30 September 17:00 UTC is already 1 October in Chongqing.
    moment = dt.datetime(2026, 9, 30, 17, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    with timezone.override("UTC"):  # whatever zone a request activated
        assert Q.current() == Q(2026, 4)
        assert Q.last_ended() == Q(2026, 3)


def test_labels_and_text():
    with translation.override("zh-hans"):
        assert [Q(2026, n).label for n in range(1, 5)] == [
            "2026年第一季度",
            "2026年第二季度",
            "2026年第三季度",
            "2026年第四季度",
        ]
        assert Q.choices() == [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]
        message = InvalidQuarter("x").user_message
        assert "2000" in message and "2100" in message and "季度" in message
    with translation.override("en"):
        assert Q(2026, 3).label == "2026, third quarter"
    assert str(Q(2026, 3)) == "2026Q3"
    assert Q(2026, 3).query == "year=2026&quarter=3"


def test_due_after_counts_working_days_after_the_last_day(cal):
    # 2026 Q3 ends Wednesday 9-30; the National Day week (10-01…10-07) does not count.
    assert Q(2026, 3).due_after(cal, 5) == D(2026, 10, 13)
    # 2025 Q4 ends Wednesday 12-31; 1–3 January are holidays and Sunday 1-4 a make-up working day.
    assert Q(2025, 4).due_after(cal, 1) == D(2026, 1, 4)
    with pytest.raises(CalendarYearUnknown):
        Q(2026, 3).due_after(WorkCalendar(years=[2025]), 5)
