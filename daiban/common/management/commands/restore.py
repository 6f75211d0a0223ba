"""`manage.py restore DIR`: check a backup against its manifest, then replace the database and media with it
(daiban/common/backup.py). Stop every app and worker machine first."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daiban.common.backup import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` after checking every checksum in its manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--check", action="store_true", help="only check the backup against its manifest; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["directory"]
        try:
            if options["check"]:
                manifest = verify_backup(directory)
                self.stdout.write(f"backup {directory} is intact: {len(manifest['files'])} files")
                return
            summary = restore_backup(directory=directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {directory}: {summary.tables} tables, {summary.rows} rows, {summary.files} files"
        )
