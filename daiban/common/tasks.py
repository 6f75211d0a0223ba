"""Periodic jobs of the common layer: seal the audit trail's new entries into its hash chain (ADR 0013), and
the minute tick that runs the daily jobs when due, after an outage, or again after a failure
(daiban.common.jobs, ADR 0007) — also queued once when a worker starts, so a restart catches up at once."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from .audit_chain import seal_all
from .jobs import run_due_daily_jobs


@db_periodic_task(crontab(minute="*"))
def seal_audit_chain() -> int:
    """Concurrent runs (two workers) wait for each other on the chain head's row lock."""
    return seal_all()


@db_periodic_task(crontab(minute="*"))
def run_daily_jobs() -> dict[str, str]:
    return run_due_daily_jobs()


@on_startup()
def catch_up_on_start() -> None:
    run_daily_jobs()  # enqueues the tick; several workers starting together run each job once (the claim)
