"""Periodic job: turn new audit entries into webhook deliveries and send what is due."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import deliver_pending, fan_out


@db_periodic_task(crontab(minute="*"))
def deliver_webhooks() -> dict[str, int]:
    return {**fan_out(), **deliver_pending()}
