"""One way for every list page to read its search, filters, period, sorting and page from the query string,
apply them to a queryset the view has already scoped to the person, and export what is shown to Excel.

A `Listing` declares what a list offers: the fields the search box looks in, choice filters (each a fixed
set of values and the condition each one means), the date field a period filters on, and the sort orders.
`Listing.apply` validates every parameter — an unknown choice, an unknown sort, a date that is no date, a
period ending before it starts, a search longer than anyone types — and raises `BadParameter` (answered with
400 and a Chinese message by `BadParameterMiddleware`); it only ever narrows the queryset it is given, so a
filter or search can never show what the scope leaves out. Pages keep their other parameters across the
pager and the export link with Django's `{% querystring %}`.

Export (`workbook`) writes every filtered row (up to `EXPORT_LIMIT`) through `spreadsheet.text_row`, so
people's text never becomes a formula, with column widths and a frozen header row."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .params import BadParameter, query_date
from .spreadsheet import text_cell, text_row

M = TypeVar("M", bound=Model)

SEARCH_MAX_LENGTH = 100
EXPORT_LIMIT = 10_000  # rows in one export: a county's year is a few thousand requests

Label = str | Promise


@dataclass(frozen=True)
class ChoiceFilter:
    """A filter by one of a fixed set of values, e.g. `state=submitted`; `conditions` maps each value to
    the condition it means (a callable when it depends on the person or the day)."""

    name: str
    label: Label
    choices: Sequence[tuple[str, Label]]
    condition: Callable[[str], Q]


def field_choice(name: str, label: Label, lookup: str, choices: Sequence[tuple[str, Label]]) -> ChoiceFilter:
    """A filter whose values are a model field's own values."""
    return ChoiceFilter(name, label, choices, lambda value: Q(**{lookup: value}))


@dataclass(frozen=True)
class Sort:
    label: Label
    order_by: tuple[str, ...]


@dataclass
class ListState:
    """What the person asked for, as the template shows it back."""

    q: str = ""
    chosen: dict[str, str] = field(default_factory=dict)
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    sort: str = ""

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.chosen or self.start_on or self.end_on)


@dataclass(frozen=True)
class Listing(Generic[M]):
    search: Sequence[str | Callable[[str], Q]]  # lookups searched with icontains, or text → condition
    sorts: Mapping[str, Sort]
    default_sort: str
    filters: Sequence[ChoiceFilter] = ()
    period_field: str | None = None  # a date lookup (`due_on`, `submitted_at__date`); `from`/`to` are days

    def apply(self, qs: QuerySet[M], params: Mapping[str, str]) -> tuple[QuerySet[M], ListState]:
        state = ListState()
        q = params.get("q", "").strip()
        if len(q) > SEARCH_MAX_LENGTH:
            raise BadParameter(
                _("The search text is too long (at most %(n)d characters).") % {"n": SEARCH_MAX_LENGTH}
            )
        if q:
            found = Q()
            for lookup in self.search:
                found |= lookup(q) if callable(lookup) else Q(**{f"{lookup}__icontains": q})
            qs = qs.filter(found)
            state.q = q
        for choice in self.filters:
            value = params.get(choice.name, "")
            if not value:
                continue
            if value not in {v for v, _label in choice.choices}:
                raise BadParameter(
                    _("“%(value)s” is not a choice for “%(label)s”.")
                    % {"value": value[:40], "label": choice.label}
                )
            qs = qs.filter(choice.condition(value))
            state.chosen[choice.name] = value
        if self.period_field:
            state.start_on, state.end_on = query_date(params, "from"), query_date(params, "to")
            if state.start_on and state.end_on and state.end_on < state.start_on:
                raise BadParameter(_("The period ends before it starts."))
            if state.start_on:
                qs = qs.filter(**{f"{self.period_field}__gte": state.start_on})
            if state.end_on:
                qs = qs.filter(**{f"{self.period_field}__lte": state.end_on})
        sort = params.get("sort", "") or self.default_sort
        if sort not in self.sorts:
            raise BadParameter(_("“%(value)s” is not a sort order of this list.") % {"value": sort[:40]})
        state.sort = sort
        return qs.order_by(*self.sorts[sort].order_by), state

    def sort_choices(self) -> list[tuple[str, Label]]:
        return [(key, sort.label) for key, sort in self.sorts.items()]


@dataclass(frozen=True)
class Column(Generic[M]):
    title: Label
    value: Callable[[M], Any]
    width: int = 16


def workbook(title: Label, columns: Sequence[Column[M]], rows: Iterable[M]) -> IO[bytes]:
    """The rows as an .xlsx (a file positioned at 0): a bold, frozen header row and set column widths;
    every string as text, never a formula."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(title)[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns):
        sheet.column_dimensions[_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = text_cell(sheet, str(column.title))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(text_row(sheet, [column.value(row) for column in columns]))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def local_minute(moment: dt.datetime | None) -> str:
    """A moment in an export as the county reads it: its wall clock, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ShownFilter:
    name: str
    label: Label
    choices: Sequence[tuple[str, Label]]
    value: str


def controls(
    listing: Listing[Any],
    state: ListState,
    *,
    placeholder: Label | None = None,
    period_label: Label | None = None,
) -> dict[str, Any]:
    """What the filter bar (`common/_list_filters.html`) shows: every control with its current value; a
    list whose search looks in other fields than the requests' says so in `placeholder`, and a period on
    another date than submission in `period_label`."""
    return {
        "list_placeholder": placeholder,
        "list_period_label": period_label,
        "list_state": state,
        "list_filters": [
            ShownFilter(f.name, f.label, f.choices, state.chosen.get(f.name, ""))
            for f in listing.filters
            if f.choices
        ],
        "list_sorts": listing.sort_choices(),
        "list_has_period": listing.period_field is not None,
    }


def exporting(params: Mapping[str, str]) -> bool:
    """`?export=xlsx` asks for the filtered rows as a workbook; any other value is a bad request."""
    value = params.get("export", "")
    if value and value != "xlsx":
        raise BadParameter(_("“%(value)s” is not an export format.") % {"value": value[:40]})
    return value == "xlsx"
