"""Periodic job: seal the audit trail's new entries into its hash chain (ADR 0013)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .audit_chain import seal_all


@db_periodic_task(crontab(minute="*"))
def seal_audit_chain() -> int:
    """Concurrent runs (two workers) wait for each other on the chain head's row lock."""
    return seal_all()
