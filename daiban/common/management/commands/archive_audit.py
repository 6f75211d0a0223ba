"""`manage.py archive_audit DIR`: move audit entries older than the retention period to a file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daiban.common.audit_chain import KEEP_DAYS, archive


class Command(BaseCommand):
    help = f"Archive audit entries older than --days (at least {KEEP_DAYS}) into DIR as gzipped JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--days", type=int, default=KEEP_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = archive(older_than_days=options["days"], directory=options["directory"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if result is None:
            self.stdout.write("nothing to archive")
            return
        self.stdout.write(
            f"archived {result.count} entries (positions {result.first_seq}–{result.last_seq}) "
            f"to {result.path}; sha256 {result.sha256}"
        )
