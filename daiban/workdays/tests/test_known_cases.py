"""Pinned against the State Council's holiday notices for 2024, 2025 and 2026."""

import datetime as dt

import pytest

from daiban.workdays.engine import CalendarYearUnknown, ClockStop, WarningLevel

D = dt.date


@pytest.mark.parametrize(
    "day",
    [
        D(2024, 2, 4),
        D(2024, 2, 18),
        D(2024, 4, 7),
        D(2024, 4, 28),
        D(2024, 5, 11),
        D(2024, 9, 29),
        D(2024, 10, 12),
        D(2025, 1, 26),
        D(2025, 2, 8),
        D(2025, 4, 27),
        D(2025, 9, 28),
        D(2025, 10, 11),
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ],
)
def test_make_up_weekend_days_are_working_days(cal, day):
    assert day.weekday() >= 5
    assert cal.is_working_day(day)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (D(2024, 2, 10), D(2024, 2, 17)),  # 春节 2024
        (D(2024, 10, 1), D(2024, 10, 7)),  # 国庆 2024
        (D(2025, 1, 28), D(2025, 2, 4)),  # 春节 2025
        (D(2025, 10, 1), D(2025, 10, 8)),  # 国庆、中秋 2025
        (D(2026, 2, 15), D(2026, 2, 23)),  # 春节 2026
        (D(2026, 10, 1), D(2026, 10, 7)),  # 国庆 2026
    ],
)
def test_holiday_weeks_are_not_working_days(cal, first, last):
    day = first
    while day <= last:
        assert not cal.is_working_day(day), day
        day += dt.timedelta(days=1)
    assert cal.working_days_between(first - dt.timedelta(days=1), last) == 0


@pytest.mark.parametrize(
    ("accepted_on", "limit", "deadline_on"),
    [
        (D(2026, 11, 16), 1, D(2026, 11, 17)),  # the day after acceptance is day 1
        (D(2026, 11, 21), 1, D(2026, 11, 23)),  # accepted on a Saturday: day 1 is Monday
        (D(2026, 9, 29), 5, D(2026, 10, 12)),  # across National Day 2026, make-up Saturday 10-10 counts
        (D(2026, 2, 13), 3, D(2026, 2, 25)),  # make-up Saturday 2-14, then the Spring Festival week
        (D(2025, 9, 26), 3, D(2025, 9, 30)),  # make-up Sunday 9-28 counts
        (D(2025, 9, 26), 5, D(2025, 10, 10)),  # National Day and Mid-Autumn 2025: 8 days off
        (D(2024, 2, 8), 3, D(2024, 2, 19)),  # 2-9 works, 2-18 (Sunday) is a make-up day
        (D(2026, 12, 30), 0, D(2026, 12, 30)),  # a zero limit is due the same day
    ],
)
def test_deadlines_from_the_notices(cal, accepted_on, limit, deadline_on):
    assert cal.deadline(accepted_on, limit) == deadline_on
    assert cal.add_working_days(accepted_on, limit) == deadline_on


def test_clock_stops_push_the_deadline_by_their_working_days(cal):
    start = D(2026, 9, 1)
    assert cal.deadline(start, 10) == D(2026, 9, 15)
    correction = ClockStop(D(2026, 9, 7), D(2026, 9, 9), "补正")
    assert cal.deadline(start, 10, [correction]) == D(2026, 9, 18)
    # A stop over a weekend costs nothing; one after the deadline changes nothing.
    assert cal.deadline(start, 10, [ClockStop(D(2026, 9, 5), D(2026, 9, 6))]) == D(2026, 9, 15)
    assert cal.deadline(start, 10, [ClockStop(D(2026, 9, 21), D(2026, 9, 25))]) == D(2026, 9, 15)
    # Overlapping stops count each day once.
    overlapping = [correction, ClockStop(D(2026, 9, 8), D(2026, 9, 10), "专家评审")]
    assert cal.deadline(start, 10, overlapping) == D(
        2026, 9, 20
    )  # 9-7…9-10 stopped; Sunday 9-20 is a make-up day
    # An open stop runs until the day asked about.
    open_stop = ClockStop(D(2026, 9, 7), None, "公示")
    assert cal.deadline(start, 10, [open_stop], as_of=D(2026, 9, 8)) == D(2026, 9, 17)
    with pytest.raises(ValueError, match="as_of"):
        cal.deadline(start, 10, [open_stop])


def test_a_stop_through_a_holiday_week_counts_only_working_days(cal):
    start = D(2026, 9, 28)  # Monday
    assert cal.deadline(start, 5) == D(2026, 10, 10)  # 9-29, 9-30, 10-8, 10-9, make-up 10-10
    stop = ClockStop(D(2026, 9, 30), D(2026, 10, 8))  # 9-30 and 10-8 are the only working days in it
    assert cal.deadline(start, 5, [stop]) == D(2026, 10, 13)


def test_standing_levels(cal):
    deadline = D(2026, 10, 12)
    assert cal.standing(deadline, D(2026, 9, 25)).level == WarningLevel.ON_TIME
    soon = cal.standing(deadline, D(2026, 10, 9))  # 10-10 (make-up) and 10-12 left
    assert (soon.level, soon.remaining_days) == (WarningLevel.DUE_SOON, 2)
    assert cal.standing(deadline, D(2026, 10, 9), due_soon_days=1).level == WarningLevel.ON_TIME
    assert cal.standing(deadline, deadline).level == WarningLevel.DUE_SOON
    late = cal.standing(deadline, D(2026, 10, 14))
    assert (late.level, late.overdue_days) == (WarningLevel.OVERDUE, 2)


def test_unknown_years_are_refused_clearly(cal):
    with pytest.raises(CalendarYearUnknown) as exc:
        cal.is_working_day(D(2027, 1, 4))
    assert exc.value.year == 2027
    assert exc.value.user_message == "2027年的节假日安排尚未录入，办理期限延伸到2027年的事项将无法计算。"
    with pytest.raises(CalendarYearUnknown):
        cal.deadline(D(2026, 12, 28), 10)  # runs into 2027
