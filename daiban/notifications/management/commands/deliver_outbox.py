"""`manage.py deliver_outbox`: deliver what is due now, without the job queue — for an operator draining
the outbox after an outage, and for the tests that kill a worker mid-batch."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daiban.notifications.services import deliver_pending


class Command(BaseCommand):
    help = "Deliver due SMS and e-mail from the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=200, help="messages per run")
        parser.add_argument(
            "--until-empty", action="store_true", help="repeat runs until one finds nothing due"
        )
        parser.add_argument("--forever", type=float, metavar="SECONDS", help="repeat every SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            counts = deliver_pending(batch=options["batch"])
            self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if options["forever"] is not None:
                time.sleep(options["forever"])
            elif not (options["until_empty"] and any(counts.values())):
                return
