"""Every daily job of the apps is registered with the tick of daiban.common.jobs and runs through it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from daiban.cases import tasks as case_tasks
from daiban.common.jobs import DAILY_JOBS, run_due_daily_jobs
from daiban.common.models import DailyJobRun
from daiban.common.tasks import catch_up_on_start
from daiban.oversight import tasks as oversight_tasks
from daiban.planning import tasks as planning_tasks
from daiban.service_levels import tasks as service_level_tasks


def test_the_daily_jobs_are_registered():
    assert DAILY_JOBS["cases.deadline_sweep"].run is case_tasks.daily_deadline_sweep
    assert DAILY_JOBS["planning.permit_prediction_check"].run is planning_tasks.daily_permit_prediction_check
    assert DAILY_JOBS["oversight.issue_escalation"].run is oversight_tasks.daily_issue_escalation
    assert DAILY_JOBS["service_levels.promise_sweep"].run is service_level_tasks.daily_promise_sweep
    assert sorted(job.at for job in DAILY_JOBS.values()) == [
        dt.time(8, 0),
        dt.time(8, 5),
        dt.time(8, 10),
        dt.time(8, 20),
    ]


@pytest.mark.django_db
def test_the_tick_runs_the_real_jobs():
    assert run_due_daily_jobs(
        now=dt.datetime(2026, 11, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    ) == dict.fromkeys(DAILY_JOBS, "covered")
    assert set(DailyJobRun.objects.values_list("covered_on", flat=True)) == {dt.date(2026, 11, 10)}


@pytest.mark.django_db
def test_a_worker_starting_after_a_redis_outage_runs_the_missed_daily_jobs_at_once():
    """Redis was down over every job's minute today (the periodic tick never ran): each job's last run covered
    the day before. The worker's start-up hook queues the tick (immediate in tests), and every job runs for
    today without waiting for a minute of its own — the catch-up of issue #18."""
    now = timezone.now()
    for job in DAILY_JOBS.values():
        DailyJobRun.objects.create(job=job.name, covered_on=job.due_day(now) - dt.timedelta(days=1))
    catch_up_on_start()
    covered = dict(DailyJobRun.objects.values_list("job", "covered_on"))
    assert covered == {job.name: job.due_day(now) for job in DAILY_JOBS.values()}
