"""`manage.py backup DIR`: the database and every uploaded file, with a manifest (daiban/common/backup.py)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daiban.common.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and media files into DIR (new or empty), with a checksummed manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = create_backup(directory=options["directory"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written to {options['directory']}: {summary.tables} tables, {summary.rows} rows, "
            f"{summary.files} files"
        )
