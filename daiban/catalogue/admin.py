from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from daiban.common.admin import JurisdictionScopedAdmin, ScopedInline

from .models import (
    ApprovalItem,
    CatalogueVersion,
    FaqEntry,
    Fee,
    ItemPrerequisite,
    Material,
    PolicyDocument,
    ResultDocument,
)


class MaterialInline(ScopedInline):
    model = Material


class FeeInline(ScopedInline):
    model = Fee


class PrerequisiteInline(ScopedInline):
    model = ItemPrerequisite
    fk_name = "item"


@admin.register(ApprovalItem)
class ApprovalItemAdmin(JurisdictionScopedAdmin):
    list_display = [
        "name",
        "jurisdiction",
        "stage",
        "department",
        "time_limit_days",
        "legal_time_limit_days",
        "is_active",
    ]
    list_filter = ["jurisdiction", "stage", "is_active"]
    search_fields = ["name", "code"]
    inlines = [MaterialInline, FeeInline, PrerequisiteInline]


@admin.register(ResultDocument)
class ResultDocumentAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "jurisdiction", "is_e_certificate"]


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(JurisdictionScopedAdmin):
    list_display = ["jurisdiction", "version", "source_file", "item_count", "loaded_at"]
    readonly_fields = ["jurisdiction", "version", "source_file", "checksum", "item_count", "loaded_at"]


class GuideContentForm(forms.ModelForm[Any]):
    """Policies and FAQ entries may only point at items of their own jurisdiction."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        jurisdiction, items = cleaned.get("jurisdiction"), cleaned.get("approval_items")
        if jurisdiction is not None and items is not None:
            foreign = [i.name for i in items if i.jurisdiction_id != jurisdiction.pk]
            if foreign:
                self.add_error(
                    "approval_items",
                    _("These items belong to another jurisdiction: %(items)s")
                    % {"items": "、".join(foreign)},
                )
        return cleaned


class GuideContentAdmin(JurisdictionScopedAdmin):
    form = GuideContentForm
    filter_horizontal = ["approval_items"]


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(GuideContentAdmin):
    """Administrators publish policy documents and link them to the items they concern."""

    list_display = ["title", "jurisdiction", "category", "issued_on", "is_published"]
    list_filter = ["jurisdiction", "category", "is_published"]
    search_fields = ["title", "document_number", "issuer"]


@admin.register(FaqEntry)
class FaqEntryAdmin(GuideContentAdmin):
    list_display = ["__str__", "jurisdiction", "published_at", "is_published"]
    list_filter = ["jurisdiction", "is_published"]
    search_fields = ["question", "answer"]
    readonly_fields = ["published_by", "published_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.published_by = request.user
        super().save_model(request, obj, form, change)
