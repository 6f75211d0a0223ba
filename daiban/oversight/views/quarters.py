"""How the ledger and ranking pages read the quarter they are about."""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from daiban.workdays.quarters import InvalidQuarter, Quarter


def _unknown_quarter(request: HttpRequest, error: InvalidQuarter, *, status: int, back: str) -> HttpResponse:
    return render(
        request,
        "oversight/unknown_quarter.html",
        {"message": error.user_message, "back": back},
        status=status,
    )


def quarter_from_query(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Hands the view the quarter asked for in `?year=&quarter=` (a part left out: the last quarter that
    ended) as `quarter`; a quarter that cannot exist is a bad request, answered with what is possible."""

    @functools.wraps(view)
    def with_quarter(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        try:
            quarter = Quarter.from_query(request.GET, Quarter.last_ended())
        except InvalidQuarter as exc:
            return _unknown_quarter(request, exc, status=400, back=request.path)
        return view(request, *args, quarter=quarter, **kwargs)

    return with_quarter


def quarter_from_path(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Hands the view the quarter of the URL's `<int:year>/<int:quarter>/` as `quarter`; one that cannot
    exist is not found, answered with what is possible."""

    @functools.wraps(view)
    def with_quarter(
        request: HttpRequest, *args: object, year: int, quarter: int, **kwargs: object
    ) -> HttpResponseBase:
        try:
            period = Quarter(year, quarter)
        except InvalidQuarter as exc:
            return _unknown_quarter(request, exc, status=404, back=reverse("oversight:ledger_list"))
        return view(request, *args, quarter=period, **kwargs)

    return with_quarter
