"""`manage.py verify_audit`: recompute the audit trail's hash chain and report the first broken link."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daiban.common.audit_chain import seal_all, verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit with an error at the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-seal", action="store_true", help="verify only what is sealed; do not seal new entries first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_seal"]:
            seal_all()
        report = verify()
        if not report.intact:
            raise CommandError("audit chain broken: " + "; ".join(report.broken))
        self.stdout.write(
            f"audit chain intact: {report.checked} entries, positions {report.first_seq}–{report.last_seq}"
            + (f"; {report.unsealed} not yet sealed" if report.unsealed else "")
        )
