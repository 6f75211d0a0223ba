from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from daiban.common.access import public
from daiban.common.stages import Stage
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.selectors import calendar_for

from .selectors import (
    catalogue_jurisdictions,
    default_jurisdiction_for,
    published_items,
    search_items,
    with_details,
)


@public
def item_list(request: HttpRequest) -> HttpResponse:
    """The published catalogue of one jurisdiction, by stage (public: it is the 办事指南 index)."""
    jurisdictions = list(catalogue_jurisdictions())
    chosen = next((j for j in jurisdictions if j.code == request.GET.get("j")), None)
    if chosen is None:
        chosen = default_jurisdiction_for(request.user) or (jurisdictions[0] if jurisdictions else None)
    query = request.GET.get("q", "")[:50]
    items = search_items(list(with_details(published_items(chosen))), query) if chosen else []
    labels = dict(Stage.choices)
    stages = [(labels[stage], list(group)) for stage, group in groupby(items, key=lambda i: i.stage)]
    template = "catalogue/_stages.html" if request.headers.get("HX-Request") else "catalogue/item_list.html"
    return render(
        request, template, {"jurisdictions": jurisdictions, "chosen": chosen, "stages": stages, "q": query}
    )


@public
def item_detail(request: HttpRequest, code: str, item_code: str) -> HttpResponse:
    jurisdiction = get_object_or_404(catalogue_jurisdictions(), code=code)
    item = get_object_or_404(with_details(published_items(jurisdiction)), code=item_code)
    today = timezone.localdate()
    try:
        example_deadline = calendar_for().deadline(today, item.time_limit_days)
    except (CalendarYearUnknown, LookupError):
        example_deadline = None
    return render(
        request,
        "catalogue/item_detail.html",
        {"item": item, "today": today, "example_deadline": example_deadline},
    )
