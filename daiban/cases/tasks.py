"""Scheduled job: the daily deadline sweep at 8:00 (Asia/Shanghai), on the embedded queue or Redis workers."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .reminders import sweep_deadlines


@db_periodic_task(crontab(hour="8", minute="0"))
def daily_deadline_sweep() -> dict[str, int]:
    return sweep_deadlines(today=timezone.localdate())
