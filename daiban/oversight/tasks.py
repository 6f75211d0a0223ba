"""Scheduled jobs: the daily escalation of overdue coordination issues (8:20 Asia/Shanghai) and the city
dashboard's figures, every 10 minutes."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import escalate_overdue_issues, refresh_city_snapshot


@db_periodic_task(crontab(hour="8", minute="20"))
def daily_issue_escalation() -> dict[str, int]:
    return escalate_overdue_issues(today=timezone.localdate())


@db_periodic_task(crontab(minute="*/10"))
def city_dashboard_figures() -> float:
    return refresh_city_snapshot(now=timezone.now()).seconds
