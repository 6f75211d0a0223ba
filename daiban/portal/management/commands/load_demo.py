from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from daiban.portal.demo import DEMO_PASSWORD, demo_totp_secret, load_demo, load_history_as_it_goes
from daiban.portal.demo_history import DEFAULT_SEED


class Command(BaseCommand):
    help = "Load both jurisdictions, the catalogue, a demo person for every role, enterprises and projects"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="allow outside DEBUG (never in production)")
        parser.add_argument(
            "--no-history", action="store_true", help="only the people and projects, not the year of requests"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the history's seed (same seed, same data)"
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="apply the migrations first, in this process (`make run`: one Django start-up, not two)",
        )
        parser.add_argument(
            "--history-only",
            action="store_true",
            help="only the year of requests, each step committed as it is made (`make run` runs this beside"
            " the server, so the first page does not wait for it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("demo data is for DEBUG installations; pass --force to insist")
        if options["migrate"]:
            call_command("migrate", interactive=False, skip_checks=True, verbosity=options["verbosity"])
        translation.activate(settings.LANGUAGE_CODE)
        if options["history_only"]:
            made = load_history_as_it_goes(seed=options["seed"])
            self.stdout.write(self.style.SUCCESS(f"Demo history ready: {made} requests."))
            return
        logins = load_demo(history=not options["no_history"], seed=options["seed"])
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/accounts/login/")
        )
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
        self.stdout.write(
            "Supervisors, coordinators, reviewers and administrators then enter a code from an authenticator"
            f" app set up with the key {demo_totp_secret()} (one key for every demo login), or run"
            " `manage.py demo_code` for the current code."
        )
        width = max(len(u) for u, _ in logins)
        for username, what in logins:
            self.stdout.write(f"  {username.ljust(width)}  {what}")
