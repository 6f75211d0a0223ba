"""The minute tick that runs the daily jobs when due, after an outage, or again after a failure
(daiban.common.jobs); also queued once when a worker starts, so a restart catches up at once."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from .jobs import run_due_daily_jobs


@db_periodic_task(crontab(minute="*"))
def run_daily_jobs() -> dict[str, str]:
    return run_due_daily_jobs()


@on_startup()
def catch_up_on_start() -> None:
    run_daily_jobs()  # enqueues the tick; several workers starting together run each job once (the claim)
