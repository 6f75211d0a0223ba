"""Catalogue reads. The catalogue is published information (办事指南), so anyone may read the active
items of a jurisdiction; staff pages default to their own jurisdiction."""

from django.db.models import Prefetch, QuerySet

from daiban.organizations.auth import Viewer
from daiban.organizations.models import Jurisdiction
from daiban.organizations.selectors import staff_jurisdiction_ids

from .models import ApprovalItem, CatalogueVersion, FaqEntry, Material, PolicyDocument


def published_items(jurisdiction: Jurisdiction) -> QuerySet[ApprovalItem]:
    """The items of the version in force: what the catalogue pages list and new requests may choose."""
    return (
        ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .select_related("jurisdiction", "department", "section", "result_document", "version")
        .order_by("position", "id")
    )


def guide_items(jurisdiction: Jurisdiction, version: str = "") -> QuerySet[ApprovalItem]:
    """The items a guide page may show: the version in force, or a named published version — a retired
    version's guide stays readable for the cases that were handled under it (ADR 0015)."""
    if not version:
        return published_items(jurisdiction)
    return (
        ApprovalItem.objects.filter(jurisdiction=jurisdiction, version__version=version)
        .exclude(version__status=CatalogueVersion.Status.DRAFT)
        .select_related("jurisdiction", "department", "section", "result_document", "version")
    )


def same_entry(items: QuerySet[ApprovalItem]) -> QuerySet[ApprovalItem]:
    """The items of the version in force that are the same entries (by code) as `items` of any version:
    links made to an earlier version's row still lead to the current guide."""
    return ApprovalItem.objects.filter(
        is_active=True,
        jurisdiction__in=items.values("jurisdiction"),
        code__in=items.values("code"),
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
    """Pinyin initials (建筑工程施工许可证 → jzgcsgxkz): how people type a search on a phone.

    pypinyin is imported here, at the first search, not with the module: loading its phrase dictionary
    takes 1.3–1.6 s, which every process paid at start-up (`migrate`, `load_demo`, `runserver` in
    `make run`), although only the catalogue search uses it."""
    from pypinyin import Style, lazy_pinyin  # deferred on purpose, see above

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


def about_entry(item: ApprovalItem) -> dict[str, object]:
    """Policies and FAQ linked to this entry in any version of its catalogue, for its guide page."""
    linked = {"approval_items__jurisdiction": item.jurisdiction_id, "approval_items__code": item.code}
    return {
        "policies": published_policies(item.jurisdiction).filter(**linked).distinct(),
        "faq": published_faq(item.jurisdiction).filter(**linked).distinct(),
    }


def published_faq(jurisdiction: Jurisdiction) -> QuerySet[FaqEntry]:
    return FaqEntry.objects.filter(jurisdiction=jurisdiction, is_published=True).prefetch_related(
        "approval_items"
    )
