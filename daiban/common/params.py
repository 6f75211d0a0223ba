"""The one path by which views read numbers and dates from query parameters. A value that is not what the
parameter holds — text, non-ASCII digits (int() would read '２０２６' and '١٢'), a number too large for the
database, a date outside the platform's range — raises `BadParameter`, which `BadParameterMiddleware`
answers with 400 and a Chinese message, instead of the error the value would cause further down (a date
overflow in the arithmetic, an integer the database cannot hold). Left out, a parameter is None.

Quarters have their own parser (`workdays.quarters.Quarter.from_query`); page numbers go to Django's
`Paginator.get_page`, which already turns anything into a valid page; text parameters compared with a
fixed set of choices need no parsing."""

import datetime as dt
import re
from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from .validators import date_bounds_error

_ID = re.compile(r"[0-9]{1,18}")  # below 2**63: every primary key the database can hold
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadParameter(Exception):
    """A query parameter that cannot mean anything; `message` is what the person is told."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def query_id(params: Mapping[str, str], name: str) -> int | None:
    """A positive record id (ASCII digits), or None when absent or empty."""
    value = params.get(name, "")
    if not value:
        return None
    if not _ID.fullmatch(value) or int(value) == 0:
        raise BadParameter(_("“%(name)s” must be a record number.") % {"name": name})
    return int(value)


def query_date(params: Mapping[str, str], name: str) -> dt.date | None:
    """A date written YYYY-MM-DD (ASCII digits) within the platform's range, or None when absent."""
    value = params.get(name, "")
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value) if _DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        raise BadParameter(_("“%(name)s” must be a date written like 2026-01-31.") % {"name": name})
    error = date_bounds_error(day)
    if error is not None:
        raise BadParameter(error)
    return day


class BadParameterMiddleware:
    """Answers a `BadParameter` raised by any view with 400 and its message, in the site's error page."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No query parameter ever holds a NUL character, and PostgreSQL refuses one in any text it is given
        # (a search term, a filter): refused here once for every page. (Form fields refuse it themselves.)
        if any("\x00" in value for value in _values(request.GET)):
            message = _("A parameter holds a character that is not allowed.")
            return render(request, "400.html", {"message": message}, status=400)
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        return render(request, "400.html", {"message": exception.message}, status=400)


def _values(params: QueryDict) -> list[str]:
    return [value for key in params for value in (key, *params.getlist(key))]
