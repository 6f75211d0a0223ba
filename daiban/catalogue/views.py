from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from daiban.common.access import public
from daiban.common.stages import Stage
from daiban.organizations.models import Jurisdiction
from daiban.organizations.selectors import public_service_zones
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.selectors import calendar_for

from .models import FaqEntry, PolicyDocument
from .selectors import (
    about_entry,
    catalogue_jurisdictions,
    default_jurisdiction_for,
    guide_items,
    published_faq,
    published_items,
    published_policies,
    same_entry,
    search_items,
    with_details,
)


@public
def item_list(request: HttpRequest) -> HttpResponse:
    """The published catalogue of one jurisdiction, by stage (public: it is the 办事指南 index)."""
    jurisdictions, chosen = _chosen(request)
    query = request.GET.get("q", "")[:50]
    items = search_items(list(with_details(published_items(chosen))), query) if chosen else []
    labels = dict(Stage.choices)
    stages = [(labels[stage], list(group)) for stage, group in groupby(items, key=lambda i: i.stage)]
    template = "catalogue/_stages.html" if request.headers.get("HX-Request") else "catalogue/item_list.html"
    zones = list(public_service_zones(chosen)) if chosen else []
    return render(
        request,
        template,
        {"jurisdictions": jurisdictions, "chosen": chosen, "stages": stages, "q": query, "zones": zones},
    )


@public
def item_detail(request: HttpRequest, code: str, item_code: str) -> HttpResponse:
    """An item's guide (办事指南): the version in force, or with `?version=` a retired one, which cases
    handled under it still cite."""
    jurisdiction = get_object_or_404(catalogue_jurisdictions(), code=code)
    version = request.GET.get("version", "")[:32]
    item = get_object_or_404(with_details(guide_items(jurisdiction, version)), code=item_code)
    today = timezone.localdate()
    try:
        example_deadline = calendar_for().deadline(today, item.time_limit_days)
    except (CalendarYearUnknown, LookupError):
        example_deadline = None
    return render(
        request,
        "catalogue/item_detail.html",
        {"item": item, "today": today, "example_deadline": example_deadline, **about_entry(item)},
    )


def _chosen(request: HttpRequest) -> tuple[list[Jurisdiction], Jurisdiction | None]:
    jurisdictions = list(catalogue_jurisdictions())
    chosen = next((j for j in jurisdictions if j.code == request.GET.get("j")), None)
    if chosen is None:
        chosen = default_jurisdiction_for(request.user) or (jurisdictions[0] if jurisdictions else None)
    return jurisdictions, chosen


@public
def faq(request: HttpRequest) -> HttpResponse:
    """常见问题: answered questions published by agents, searchable by words."""
    jurisdictions, chosen = _chosen(request)
    query = request.GET.get("q", "").strip()[:50]
    entries = published_faq(chosen) if chosen else FaqEntry.objects.none()
    if query:
        entries = entries.filter(Q(question__icontains=query) | Q(answer__icontains=query))
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/faq.html",
        {"jurisdictions": jurisdictions, "chosen": chosen, "page": page, "q": query},
    )


@public
def policy_list(request: HttpRequest) -> HttpResponse:
    jurisdictions, chosen = _chosen(request)
    policies = published_policies(chosen) if chosen else PolicyDocument.objects.none()
    category = request.GET.get("category", "")
    if category in PolicyDocument.Category.values:
        policies = policies.filter(category=category)
    page = Paginator(policies, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/policy_list.html",
        {
            "jurisdictions": jurisdictions,
            "chosen": chosen,
            "page": page,
            "category": category,
            "categories": PolicyDocument.Category.choices,
        },
    )


@public
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(
        PolicyDocument.objects.filter(is_published=True).select_related("jurisdiction"), pk=pk
    )
    items = same_entry(policy.approval_items.all()).select_related("jurisdiction").order_by("position")
    return render(request, "catalogue/policy_detail.html", {"policy": policy, "items": items})
