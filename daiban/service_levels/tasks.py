"""Daily job: the promise sweep at 8:05 (Asia/Shanghai), after the item sweep, run by the minute tick of
daiban.common.jobs — caught up after an outage, retried when a clock failed."""

import datetime as dt
from collections.abc import Mapping

from daiban.common.jobs import daily_job

from .reminders import sweep_promises


@daily_job("service_levels.promise_sweep", at=dt.time(8, 5))
def daily_promise_sweep(day: dt.date) -> Mapping[str, int]:
    return sweep_promises(today=day)
