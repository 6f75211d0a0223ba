"""`manage.py deliver_webhooks`: one round of the webhook job by hand — queue the events committed since the
last round, then send what is due."""

from typing import Any

from django.core.management.base import BaseCommand

from daiban.integrations.services import deliver_pending, fan_out


class Command(BaseCommand):
    help = "Queue new webhook events from the audit trail and deliver what is due."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = {**fan_out(), **deliver_pending()}
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
