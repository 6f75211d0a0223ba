"""Jobs: the daily escalation of overdue coordination issues (8:20 Asia/Shanghai, run by the minute tick of
daiban.common.jobs) and the city dashboard's figures, every 10 minutes."""

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from daiban.common.jobs import daily_job

from .services import escalate_overdue_issues, refresh_city_snapshot


@daily_job("oversight.issue_escalation", at=dt.time(8, 20))
def daily_issue_escalation(day: dt.date) -> Mapping[str, int]:
    return escalate_overdue_issues(today=day)


@db_periodic_task(crontab(minute="*/10"))
def city_dashboard_figures() -> float:
    return refresh_city_snapshot(now=timezone.now()).seconds
