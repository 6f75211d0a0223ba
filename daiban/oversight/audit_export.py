"""The audit page's entries as an .xlsx workbook (安全审计: the trail can be exported for review)."""

import tempfile
from collections.abc import Iterable
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from daiban.common.audit import verb_label
from daiban.common.models import AuditEntry
from daiban.common.spreadsheet import text_row

EXPORT_LIMIT = 50_000


def audit_workbook(entries: Iterable[AuditEntry]) -> IO[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit trail"))
    sheet.append(
        text_row(
            sheet,
            [
                _("Time"),
                _("Who"),
                _("From address"),
                _("Event"),
                _("Event code"),
                _("Object"),
                _("Jurisdiction"),
            ],
        )
    )
    for entry in entries:
        sheet.append(
            text_row(
                sheet,
                [
                    timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                    str(entry.actor) if entry.actor else _("the platform"),
                    entry.from_address or "",
                    verb_label(entry.verb),
                    entry.verb,
                    f"{entry.target_type} #{entry.target_id} {entry.target_label}".strip(),
                    entry.jurisdiction_code,
                ],
            )
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    workbook.save(out)
    out.seek(0)
    return out
