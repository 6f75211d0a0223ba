"""Writing cells people's text reaches (names, notes, codes) into a workbook as text, never as a formula.

A string beginning with `=` is stored by openpyxl as a formula, so a project named `=HYPERLINK(…)` became a
live link in the ledger; `+`, `-`, `@`, a tab or a carriage return (and the fullwidth ＝＋－＠ an input
method types) start formulas when a person edits the cell or the sheet travels as CSV. Every text cell is
therefore written with the string type, and a risky one also with Excel's own "quote prefix" flag — what
Excel stores when someone types `'=…`: shown without the quote, kept as text when edited (OWASP's CSV
injection advice, without altering the value). Numbers and dates pass through as they are."""

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def starts_like_a_formula(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_STARTS)


def text_cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    """The cell for `value`: a string as text (quote-prefixed when risky); anything else as it is."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if starts_like_a_formula(value):
            cell.quotePrefix = True
    return cell


def text_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Cell]:
    """A row for `sheet.append`, every string in it written as text."""
    return [text_cell(sheet, value) for value in values]
