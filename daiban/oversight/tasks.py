"""Scheduled job: the daily escalation of overdue coordination issues (8:20 Asia/Shanghai)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import escalate_overdue_issues


@db_periodic_task(crontab(hour="8", minute="20"))
def daily_issue_escalation() -> dict[str, int]:
    return escalate_overdue_issues(today=timezone.localdate())
