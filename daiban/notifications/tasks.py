"""Periodic job: deliver the outbox. Runs on the embedded SQLite queue or on Redis-backed workers."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import deliver_pending


@db_periodic_task(crontab(minute="*"))
def deliver_outbox() -> dict[str, int]:
    return deliver_pending()
