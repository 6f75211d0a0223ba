"""Formula injection as a class: every Excel workbook the platform writes is found by reading the source
(each function that makes an openpyxl `Workbook`), each is then written with formula-like text in the
columns people type, and every cell it appends must have come through `common.spreadsheet.text_cell` —
so a workbook added later, or a row appended as raw values, fails here rather than in a county's Excel.
Every view that hands a workbook out records the export (`data.exported`)."""

import ast
import io
import pathlib

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from daiban.cases.listings import ITEM_COLUMNS, REQUEST_COLUMNS
from daiban.cases.tests.conftest import (  # noqa: F401 - the cases fixtures, reused
    clock,
    dispatched,
    items,
    park_project,
    rep,
    staff,
    town_project,
)
from daiban.common.audit import AuditVerb, record
from daiban.common.listing import workbook
from daiban.common.models import AuditEntry
from daiban.oversight.audit_export import audit_workbook
from daiban.oversight.exports import ledger_workbook
from daiban.workdays.quarters import Quarter

ROOT = pathlib.Path(__file__).resolve().parent.parent / "daiban"

# The workbook writers, by module and function: the test below walks each of them.
WRITERS = {
    ("daiban/common/listing.py", "workbook"),
    ("daiban/oversight/exports.py", "ledger_workbook"),
    ("daiban/oversight/audit_export.py", "audit_workbook"),
}


def _sources() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent).as_posix()
        if "/tests/" not in relative and "/migrations/" not in relative:
            found.append((relative, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def test_every_workbook_is_one_of_the_writers_walked_here():
    makers = {
        (module, function.name)
        for module, tree in _sources()
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef) and "Workbook" in _calls(function)
    }
    assert makers == WRITERS


def test_every_view_handing_out_a_workbook_records_the_export():
    builders = {name for _module, name in WRITERS}
    handing_out = []
    for module, tree in _sources():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or (module, function.name) in WRITERS:
                continue
            if _calls(function) & builders:
                handing_out.append(f"{module}:{function.name}")
                recorded = "record" in _calls(function) and "DATA_EXPORTED" in ast.dump(function)
                assert recorded, f"{module}:{function.name} writes a workbook without recording the export"
    assert len(handing_out) >= 3  # the list exports, the ledger, the audit trail


FORMULA = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def appended(monkeypatch):
    """Every row appended to a write-only sheet, checked: each value a cell made by `text_cell`."""
    rows: list[list[object]] = []
    original = WriteOnlyWorksheet.append

    def append(sheet, row):  # type: ignore[no-untyped-def]
        row = list(row)
        raw = [value for value in row if not isinstance(value, Cell)]
        assert raw == [], f"values appended without common.spreadsheet: {raw}"
        rows.append(row)
        return original(sheet, row)

    monkeypatch.setattr(WriteOnlyWorksheet, "append", append)
    return rows


def _read(file) -> list[Cell]:
    book = load_workbook(io.BytesIO(file.read()))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _no_formula_and_kept(name: str, cells: list[Cell]) -> None:
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == [], name
    kept = [cell for cell in cells if cell.value == FORMULA]
    assert kept and all(cell.quotePrefix for cell in kept), name


@pytest.mark.django_db
def test_every_writer_writes_people_text_as_text(appended, dispatched, youyang, yy_supervisor):  # noqa: F811
    project = dispatched.project
    project.name = FORMULA
    project.save(update_fields=["name"])
    yy_supervisor.full_name = FORMULA
    yy_supervisor.save(update_fields=["full_name"])
    record(actor=yy_supervisor, verb=AuditVerb.PROJECT_UPDATED, target=project)
    written = {
        "workbook/requests": workbook("申请", REQUEST_COLUMNS, [dispatched]),
        "workbook/items": workbook("事项", ITEM_COLUMNS, list(dispatched.items.all())),
        "audit_workbook": audit_workbook(AuditEntry.objects.select_related("actor")),
    }
    for name, file in written.items():
        _no_formula_and_kept(name, _read(file))
    # The ledger counts decided items; with none decided it still writes its header and unit rows.
    ledger = _read(ledger_workbook(youyang, Quarter(2026, 4)))
    assert [cell.coordinate for cell in ledger if cell.data_type == "f"] == []
    assert len(appended) >= 10
