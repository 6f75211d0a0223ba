"""The guard that keeps a test on one local date (a CI journey once crossed midnight)."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from conftest import past_midnight_if_near

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_journey_near_midnight_starts_just_after_it():
    now = dt.datetime(2026, 12, 3, 23, 59, 56, tzinfo=SHANGHAI)
    assert past_midnight_if_near(now) == dt.datetime(2026, 12, 4, 0, 0, 5, tzinfo=SHANGHAI)


def test_a_journey_in_the_day_starts_now():
    assert past_midnight_if_near(dt.datetime(2026, 12, 3, 23, 54, tzinfo=SHANGHAI)) is None
    assert past_midnight_if_near(dt.datetime(2026, 12, 4, 0, 0, 1, tzinfo=SHANGHAI)) is None


def test_travel_moves_the_date_that_django_sees():
    start = past_midnight_if_near(dt.datetime(2026, 12, 3, 23, 57, tzinfo=SHANGHAI))
    assert start is not None
    with time_machine.travel(start, tick=True):
        assert timezone.localdate() == dt.date(2026, 12, 4)
