"""The quarterly ledger as an .xlsx workbook in the layout the reform office files: a summary sheet with one
row per unit (as submitted, once it is) and a totals row (counted now, each request and item once), and a
detail sheet of every item decided in the quarter.

Written with openpyxl's write-only mode row by row from database iterators into a spooled temporary file,
so a city-scale export keeps a small, constant amount in memory; the response streams that file. Every
row goes through `common.spreadsheet` (text is text, never a formula). The detail and issue sheets have set
column widths and a frozen header row, since they are read by scrolling down hundreds of rows; the 问题清单
sheet is there because the units submit it with the ledger every quarter (酉阳方案 （五）)."""

import tempfile
from collections.abc import Sequence
from typing import IO, Any, cast

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from daiban.common.listing import local_minute
from daiban.common.spreadsheet import text_cell, text_row
from daiban.organizations.models import Jurisdiction, Unit
from daiban.workdays.quarters import Quarter

from .ledger import LEDGER_UNIT_KINDS, decided_items, ledger_figures, quarter_issues
from .models import QuarterlyLedger

SUMMARY_COLUMNS = [
    ("unit", 28),
    ("kind", 10),
    ("requests_received", 10),
    ("requests_completed", 10),
    ("items_filed", 10),
    ("items_decided", 10),
    ("decided_on_time", 10),
    ("on_time_rate", 10),
    ("average_used_days", 12),
    ("average_limit_days", 12),
    ("open_issues", 10),
    ("evaluations", 10),
    ("bad_evaluations", 10),
    ("average_rating", 10),
    ("submitted", 14),
    ("annotation", 40),
]


def column_titles() -> dict[str, str]:
    return {
        "unit": _("Unit"),
        "kind": _("Kind"),
        "requests_received": _("Requests received"),
        "requests_completed": _("Requests completed"),
        "items_filed": _("Items filed"),
        "items_decided": _("Items decided"),
        "decided_on_time": _("Decided on time"),
        "on_time_rate": _("On-time rate (%)"),
        "average_used_days": _("Average working days used"),
        "average_limit_days": _("Average committed limit"),
        "open_issues": _("Open coordination issues"),
        "evaluations": _("Evaluations"),
        "bad_evaluations": _("Bad ratings"),
        "average_rating": _("Average rating (1–5)"),
        "submitted": _("Submitted"),
        "annotation": _("Notes from the unit"),
    }


def _bold(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[Cell]:
    cells = []
    for value in values:
        cell = text_cell(sheet, value)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    return cells


def _table_sheet(book: Workbook, title: str, columns: Sequence[tuple[str, int]]) -> WriteOnlyWorksheet:
    """A sheet with its column widths, a bold header row and that row frozen (set before any row is
    written: the write-only mode cannot go back)."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(_bold(sheet, [title for title, _width in columns]))
    return cast(WriteOnlyWorksheet, sheet)


def ledger_workbook(jurisdiction: Jurisdiction, quarter: Quarter) -> IO[bytes]:
    """Returns a file positioned at 0 holding the .xlsx."""
    units = Unit.objects.filter(jurisdiction=jurisdiction, kind__in=LEDGER_UNIT_KINDS).order_by(
        "kind", "position", "id"
    )
    ledger_of = ledger_figures(jurisdiction, quarter, units=units)
    submitted = {
        ledger.unit_id: ledger
        for ledger in QuarterlyLedger.objects.filter(jurisdiction=jurisdiction).of(quarter)
    }
    titles = column_titles()
    book = Workbook(write_only=True)
    summary = book.create_sheet(_("Ledger summary"))
    for index, (_key, width) in enumerate(SUMMARY_COLUMNS):
        summary.column_dimensions[chr(ord("A") + index)].width = width
    summary.append(
        _bold(
            summary,
            [
                _("%(name)s assist-and-proxy work ledger, %(quarter)s (%(start)s to %(end)s)")
                % {
                    "name": jurisdiction.name,
                    "quarter": quarter.label,
                    "start": quarter.first_day,
                    "end": quarter.last_day,
                }
            ],
        )
    )
    summary.append(_bold(summary, [titles[key] for key, _w in SUMMARY_COLUMNS]))
    for unit in units:
        ledger = submitted.get(unit.pk)
        # A submitted ledger is the unit's record: its figures as they stood when it was submitted.
        row = (ledger.figures if ledger else ledger_of.units[unit.pk].as_dict()) | {
            "unit": unit.name,
            "kind": unit.get_kind_display(),
            "submitted": ledger.submitted_at.strftime("%Y-%m-%d") if ledger else _("not submitted"),
            "annotation": ledger.annotation if ledger else "",
        }
        summary.append(text_row(summary, [row[key] for key, _w in SUMMARY_COLUMNS]))
    total = ledger_of.total.as_dict() | {
        "unit": _("Total"),
        "kind": "",
        "submitted": f"{len(submitted)}/{len(ledger_of.units)}",
        "annotation": "",
    }
    summary.append(_bold(summary, [total[key] for key, _w in SUMMARY_COLUMNS]))
    summary.append(
        text_row(
            summary,
            [
                _(
                    "Submitted ledgers show their figures as submitted, the others as counted now. "
                    "The total is "
                    "counted now, each request and item once: "
                    "a township's request is also in its departments' rows."
                )
            ],
        )
    )
    detail = _table_sheet(
        book,
        _("Detail of items decided"),
        [
            (_("Project"), 30),
            (_("Project code"), 24),
            (_("Item"), 34),
            (_("Responsible unit"), 20),
            (_("Locality"), 16),
            (_("Agent"), 12),
            (_("Receipt number"), 20),
            (_("Filed on"), 12),
            (_("Decided on"), 12),
            (_("State"), 10),
        ],
    )
    for item in decided_items(jurisdiction, quarter):
        detail.append(
            text_row(
                detail,
                [
                    item.request.project.name,
                    item.request.project.project_code,
                    item.approval_item.name,
                    item.responsible_unit.name,
                    item.request.locality.name,
                    item.agent.display_name if item.agent else "",
                    item.external_ref,
                    item.filed_on,
                    item.decided_on,
                    item.get_state_display(),
                ],
            )
        )
    issues = _table_sheet(
        book,
        _("Coordination issue list"),
        [
            (_("problem"), 30),
            (_("details"), 50),
            (_("Project"), 30),
            (_("Item"), 30),
            (_("locality or unit concerned"), 20),
            (_("raised by"), 12),
            (_("raised at"), 17),
            (_("responsible agent"), 12),
            (_("due on"), 12),
            (_("status"), 10),
            (_("resolution"), 40),
            (_("resolved at"), 17),
        ],
    )
    for issue in quarter_issues(jurisdiction, quarter):
        case_item = issue.case_item
        issues.append(
            text_row(
                issues,
                [
                    issue.title,
                    issue.description,
                    case_item.request.project.name if case_item else "",
                    case_item.approval_item.name if case_item else "",
                    issue.unit.name if issue.unit else "",
                    issue.raised_by.display_name,
                    local_minute(issue.raised_at),
                    issue.assignee.display_name if issue.assignee else "",
                    issue.due_on,
                    issue.get_status_display(),
                    issue.resolution,
                    local_minute(issue.resolved_at),
                ],
            )
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    book.save(out)
    out.seek(0)
    return out
