"""The request and item lists: the person's scope, narrowed by search, filters and the home page's queues,
sorted, a page at a time — or every filtered row as an Excel workbook."""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.access import signed_in
from daiban.common.audit import AuditVerb, record
from daiban.common.listing import EXPORT_LIMIT, XLSX, Column, Listing, controls, exporting, workbook
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.selectors import staff_jurisdiction_ids
from daiban.projects.selectors import represented_applicants

from ..deadlines import item_clocks
from ..listings import ITEM_COLUMNS, REQUEST_COLUMNS, item_listing, request_listing
from ..queues import items_visible_to
from ..selectors import count_items, requests_visible_to, with_listing

PAGE_SIZE = 25


def export_rows(
    request: AuthenticatedRequest, title: str, columns: Sequence[Column[Any]], rows: QuerySet[Any]
) -> FileResponse:
    record(
        actor=request.user,
        verb=AuditVerb.DATA_EXPORTED,
        target=None,
        label=f"{title} {request.GET.urlencode()}"[:200],
    )
    stamp = timezone.localdate().isoformat()
    return FileResponse(
        workbook(title, columns, rows[:EXPORT_LIMIT]),
        as_attachment=True,
        filename=f"{title}-{stamp}.xlsx",
        content_type=XLSX,
    )


def _jurisdictions(request: AuthenticatedRequest) -> set[int]:
    """Where the units offered as filters come from: the person's roles and the enterprises it speaks for."""
    represented = represented_applicants(request.user).values_list("jurisdiction_id", flat=True)
    return staff_jurisdiction_ids(request.user) | set(represented)


def _page(request: AuthenticatedRequest, rows: QuerySet[Any]) -> Page[Model]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _context(listing: Listing[Any], state: Any, page: Page[Any]) -> dict[str, Any]:
    return {"page": page, **controls(listing, state)}


@signed_in
def request_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """申请列表: every request the person may see, searched, filtered, sorted and exportable."""
    today = timezone.localdate()
    listing = request_listing(request.user, today, _jurisdictions(request))
    requests = with_listing(requests_visible_to(request.user))
    if request.GET.get("j"):  # drill-down from the dashboards: one jurisdiction
        requests = requests.filter(jurisdiction__code=request.GET["j"][:12])
    requests, state = listing.apply(requests, request.GET)
    if exporting(request.GET):
        return export_rows(request, _("Requests"), REQUEST_COLUMNS, requests)
    page = _page(request, requests)
    page.object_list = count_items(page.object_list)
    return render(request, "cases/request_list.html", _context(listing, state, page))


@signed_in
def item_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """事项列表: every item of the requests the person may see — the home page's queues open here."""
    today = timezone.localdate()
    listing = item_listing(request.user, today, _jurisdictions(request))
    items = items_visible_to(request.user).select_related(
        "request__project",
        "request__applicant",
        "request__jurisdiction",
        "approval_item",
        "responsible_unit",
        "agent",
    )
    items, state = listing.apply(items, request.GET)
    if exporting(request.GET):
        return export_rows(request, _("Items"), ITEM_COLUMNS, items)
    page = _page(request, items.prefetch_related("stops"))
    clocks = item_clocks(page.object_list, today)
    context = _context(listing, state, page) | {"rows": [(i, clocks[i.pk]) for i in page]}
    return render(request, "cases/item_list.html", context)


# Other apps' lists offer units of the same jurisdictions.
listing_jurisdictions = _jurisdictions
