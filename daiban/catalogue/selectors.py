"""Catalogue reads. The catalogue is published information (办事指南), so anyone may read the active
items of a jurisdiction; staff pages default to their own jurisdiction."""

from django.db.models import Prefetch, QuerySet
from pypinyin import Style, lazy_pinyin

from daiban.organizations.auth import Viewer
from daiban.organizations.models import Jurisdiction
from daiban.organizations.selectors import staff_jurisdiction_ids

from .models import ApprovalItem, FaqEntry, Material, PolicyDocument


def published_items(jurisdiction: Jurisdiction) -> QuerySet[ApprovalItem]:
    return (
        ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .select_related("jurisdiction", "department", "section", "result_document")
        .order_by("position", "id")
    )


def with_details(items: QuerySet[ApprovalItem]) -> QuerySet[ApprovalItem]:
    return items.prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position")),
        "fees",
        "prerequisites",
    )


def catalogue_jurisdictions() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.filter(approval_items__is_active=True).distinct().order_by("code")


def default_jurisdiction_for(user: Viewer) -> Jurisdiction | None:
    ids = staff_jurisdiction_ids(user)
    return catalogue_jurisdictions().filter(id__in=ids).first() if ids else None


def initials(text: str) -> str:
    """Pinyin initials (建筑工程施工许可证 → jzgcsgxkz): how people type a search on a phone."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def search_items(items: list[ApprovalItem], query: str) -> list[ApprovalItem]:
    """Match the item's name, department, result or materials in Chinese, or the name's pinyin initials.
    A jurisdiction's catalogue is a few dozen items, so this filters in memory after one query."""
    q = query.strip().lower()
    if not q:
        return items
    found = []
    for item in items:
        haystack = " ".join(
            [item.name, item.department.name, item.department.short_name, item.result_document.name]
            + [m.name for m in item.materials.all()]
        ).lower()
        if q in haystack or q in initials(item.name):
            found.append(item)
    return found


def published_policies(jurisdiction: Jurisdiction) -> QuerySet[PolicyDocument]:
    """The jurisdiction's policies and the city's (a city policy applies in every district)."""
    ids = [jurisdiction.pk, *([jurisdiction.parent_id] if jurisdiction.parent_id else [])]
    return PolicyDocument.objects.filter(jurisdiction_id__in=ids, is_published=True).select_related(
        "jurisdiction"
    )


def published_faq(jurisdiction: Jurisdiction) -> QuerySet[FaqEntry]:
    return FaqEntry.objects.filter(jurisdiction=jurisdiction, is_published=True).prefetch_related(
        "approval_items"
    )
