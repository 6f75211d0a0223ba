"""Property-based checks of the arithmetic (hypothesis)."""

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from daiban.workdays.engine import ClockStop

starts = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2025, 6, 30))
limits = st.integers(min_value=0, max_value=120)
stop_lists = st.lists(
    st.tuples(st.integers(min_value=0, max_value=150), st.integers(min_value=0, max_value=20)), max_size=4
)


def to_stops(start, raw):
    return [
        ClockStop(start + dt.timedelta(days=o), start + dt.timedelta(days=o + length)) for o, length in raw
    ]


@given(start=starts, n=limits)
def test_adding_then_counting_returns_n(cal, start, n):
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    if n:
        assert cal.is_working_day(end)
        assert end > start


@given(start=starts, n=limits, m=limits)
def test_adding_is_monotonic_and_composes(cal, start, n, m):
    a, b = sorted((n, m))
    assert cal.add_working_days(start, a) <= cal.add_working_days(start, b)
    assert cal.add_working_days(cal.add_working_days(start, a), b) == cal.add_working_days(start, a + b)


@given(start=starts, later=st.integers(min_value=0, max_value=40), n=st.integers(min_value=1, max_value=120))
def test_a_later_start_never_gives_an_earlier_deadline(cal, start, later, n):
    assert cal.deadline(start + dt.timedelta(days=later), n) >= cal.deadline(start, n)


@given(start=starts, n=limits, raw=stop_lists)
def test_stops_only_ever_push_a_deadline_later(cal, start, n, raw):
    stops = to_stops(start, raw)
    plain = cal.deadline(start, n)
    assert cal.deadline(start, n, stops) >= plain
    for i in range(len(stops)):
        fewer = stops[:i] + stops[i + 1 :]
        assert cal.deadline(start, n, stops) >= cal.deadline(start, n, fewer)


@settings(max_examples=200)
@given(start=starts, n=limits, raw=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), max_size=3))
def test_batch_equals_scalar(cal, start, n, raw):
    # Batch rows are sorted and non-overlapping: build them so.
    stops, cursor = [], 0
    for gap, length in raw:
        begin = cursor + gap + 1
        stops.append(ClockStop(start + dt.timedelta(days=begin), start + dt.timedelta(days=begin + length)))
        cursor = begin + length
    k = max(len(stops), 1)
    s = np.zeros((1, k), dtype=np.int64)
    e = np.zeros((1, k), dtype=np.int64)
    for i, stop in enumerate(stops):
        assert stop.end_on is not None
        s[0, i], e[0, i] = stop.start_on.toordinal(), stop.end_on.toordinal()
    out = cal.deadlines(np.array([start.toordinal()]), np.array([n]), s, e)
    assert dt.date.fromordinal(int(out[0])) == cal.deadline(start, n, stops)
