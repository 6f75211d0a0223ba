"""Catalogue reads. The catalogue is published information (办事指南), so anyone may read the active
items of a jurisdiction; staff pages default to their own jurisdiction."""

from django.db.models import Prefetch, QuerySet

from daiban.organizations.models import Jurisdiction
from daiban.organizations.selectors import staff_jurisdiction_ids

from .models import ApprovalItem, Material


def published_items(jurisdiction: Jurisdiction) -> QuerySet[ApprovalItem]:
    return (
        ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .select_related("jurisdiction", "department", "section", "result_document")
        .order_by("position", "id")
    )


def approval_items_visible_to(user: object) -> QuerySet[ApprovalItem]:
    """Items of every jurisdiction the user works in (for staff pickers and checks)."""
    return (
        ApprovalItem.objects.filter(jurisdiction_id__in=staff_jurisdiction_ids(user), is_active=True)
        .select_related("jurisdiction", "department", "section", "result_document")
        .order_by("jurisdiction__code", "position")
    )


def with_details(items: QuerySet[ApprovalItem]) -> QuerySet[ApprovalItem]:
    return items.prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position")),
        "fees",
        "prerequisites",
    )


def catalogue_jurisdictions() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.filter(approval_items__is_active=True).distinct().order_by("code")


def default_jurisdiction_for(user: object) -> Jurisdiction | None:
    ids = staff_jurisdiction_ids(user)
    return catalogue_jurisdictions().filter(id__in=ids).first() if ids else None
