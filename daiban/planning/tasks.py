"""Scheduled job: the daily early warning on construction-permit predictions (8:10 Asia/Shanghai)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .warnings import warn_permit_slips


@db_periodic_task(crontab(hour="8", minute="10"))
def daily_permit_prediction_check() -> int:
    return warn_permit_slips()
