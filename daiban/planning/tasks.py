"""Daily job: the early warning on construction-permit predictions (8:10 Asia/Shanghai), run by the minute
tick of daiban.common.jobs."""

import datetime as dt
from collections.abc import Mapping

from daiban.common.jobs import daily_job

from .warnings import warn_permit_slips


@daily_job("planning.permit_prediction_check", at=dt.time(8, 10))
def daily_permit_prediction_check(day: dt.date) -> Mapping[str, int]:
    return warn_permit_slips()
