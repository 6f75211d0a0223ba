"""Daily job: the deadline sweep at 8:00 (Asia/Shanghai), run by the minute tick of daiban.common.jobs —
caught up after an outage, retried when an item failed."""

import datetime as dt
from collections.abc import Mapping

from daiban.common.jobs import daily_job

from .reminders import sweep_deadlines


@daily_job("cases.deadline_sweep", at=dt.time(8, 0))
def daily_deadline_sweep(day: dt.date) -> Mapping[str, int]:
    return sweep_deadlines(today=day)
