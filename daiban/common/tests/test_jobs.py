"""Daily jobs catch up after an outage, run once however many workers tick, and are retried after a
failure (tests/test_daily_jobs.py runs the real jobs through the tick)."""

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import pytest

from daiban.common import jobs
from daiban.common.jobs import RETRY_AFTER, DailyJob, run_due_daily_jobs, run_if_due
from daiban.common.models import DailyJobRun

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


class Recorder:
    def __init__(self, fail_times: int = 0) -> None:
        self.days: list[dt.date] = []
        self.fail_times = fail_times

    def __call__(self, day: dt.date) -> Mapping[str, int]:
        self.days.append(day)
        if self.fail_times:
            self.fail_times -= 1
            return {"sent": 3, "failed": 1}
        return {"sent": 4, "failed": 0}


@pytest.fixture
def job(monkeypatch):
    recorder = Recorder()
    only = DailyJob(name="test.sweep", at=dt.time(8, 0), run=recorder)
    monkeypatch.setattr(jobs, "DAILY_JOBS", {only.name: only})
    return only, recorder


@pytest.mark.django_db
def test_a_job_runs_once_a_day_at_its_time(job):
    _, recorder = job
    assert run_due_daily_jobs(now=at(10, 7, 59)) == {"test.sweep": "covered"}  # first start: yesterday's
    assert recorder.days == [dt.date(2026, 11, 9)]
    assert run_due_daily_jobs(now=at(10, 7, 59)) == {}
    assert run_due_daily_jobs(now=at(10, 8, 0)) == {"test.sweep": "covered"}
    for minute in range(1, 5):
        assert run_due_daily_jobs(now=at(10, 8, minute)) == {}  # every tick, once a day
    assert recorder.days == [dt.date(2026, 11, 9), dt.date(2026, 11, 10)]
    run = DailyJobRun.objects.get(job="test.sweep")
    assert run.covered_on == dt.date(2026, 11, 10)
    assert run.outcome == {"day": "2026-11-10", "sent": 4, "failed": 0}


@pytest.mark.django_db
def test_after_an_outage_the_worker_catches_up_on_its_first_tick(job):
    _, recorder = job
    run_due_daily_jobs(now=at(6, 8, 0))
    # The worker (or Redis) is down from Friday 6th 9:00 to Tuesday 10th 11:30: 8:00 on four days is missed.
    assert run_due_daily_jobs(now=at(10, 11, 30)) == {"test.sweep": "covered"}
    assert recorder.days == [dt.date(2026, 11, 6), dt.date(2026, 11, 10)]  # the latest day covers the rest
    assert run_due_daily_jobs(now=at(10, 11, 31)) == {}


@pytest.mark.django_db
def test_a_run_with_failed_items_is_retried_the_same_day(job, monkeypatch):
    only, _ = job
    recorder = Recorder(fail_times=1)
    monkeypatch.setattr(jobs, "DAILY_JOBS", {only.name: DailyJob(only.name, only.at, recorder)})
    assert run_due_daily_jobs(now=at(10, 8, 0)) == {"test.sweep": "failed"}
    run = DailyJobRun.objects.get()
    assert run.covered_on is None and run.retry_at == at(10, 8, 0) + RETRY_AFTER
    assert run_due_daily_jobs(now=at(10, 8, 1)) == {}  # back-off
    assert run_due_daily_jobs(now=at(10, 8, 0) + RETRY_AFTER) == {"test.sweep": "covered"}
    assert recorder.days == [dt.date(2026, 11, 10)] * 2


@pytest.mark.django_db
def test_a_job_that_raises_is_retried_and_does_not_stop_the_others(job, monkeypatch):
    only, _ = job

    def broken(day: dt.date) -> Mapping[str, int]:
        raise RuntimeError("database went away")

    monkeypatch.setattr(
        jobs, "DAILY_JOBS", {"a.broken": DailyJob("a.broken", only.at, broken), only.name: only}
    )
    assert run_due_daily_jobs(now=at(10, 9)) == {"a.broken": "failed", "test.sweep": "covered"}
    assert DailyJobRun.objects.get(job="a.broken").outcome == {"day": "2026-11-10", "error": 1}


@pytest.mark.django_db
def test_a_running_job_is_not_started_again_by_another_worker(job):
    only, _ = job
    nested: list[str | None] = []

    def run(day: dt.date) -> Mapping[str, int]:
        nested.append(run_if_due(second, now=at(10, 8, 30)))  # another worker ticks meanwhile
        return {}

    second = DailyJob(only.name, only.at, run)
    assert run_if_due(second, now=at(10, 8, 0)) == "covered"
    assert nested == [None]
