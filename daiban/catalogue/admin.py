from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
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
from .services import publish_version, start_draft, version_diff, version_entries


def _published(item: ApprovalItem | None) -> bool:
    """A published version's rows are never edited (ADR 0015): edits go to a draft version."""
    return item is not None and item.version.is_published


class DraftOnlyInline(ScopedInline):
    """An item's materials, fees and prerequisites are edited only while its version is a draft."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)


class MaterialInline(DraftOnlyInline):
    model = Material
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # 样表 links are https


class FeeInline(DraftOnlyInline):
    model = Fee


class PrerequisiteInline(DraftOnlyInline):
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
        "version",
        "is_active",
    ]
    list_filter = ["jurisdiction", "stage", "is_active"]
    search_fields = ["name", "code"]
    inlines = [MaterialInline, FeeInline, PrerequisiteInline]
    readonly_fields = ["is_active"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "version" and field is not None:  # items are added to drafts only
            field.queryset = field.queryset.filter(status=CatalogueVersion.Status.DRAFT)
        return field


@admin.register(ResultDocument)
class ResultDocumentAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "jurisdiction", "is_e_certificate"]


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(JurisdictionScopedAdmin):
    """Versions are loaded from files or drafted here: an administrator starts a draft from a published
    version, edits the draft's items, and publishes it after reading the diff (audited)."""

    list_display = [
        "jurisdiction",
        "version",
        "status",
        "effective_on",
        "retired_on",
        "item_count",
        "loaded_at",
    ]
    list_filter = ["jurisdiction", "status"]
    actions = ["start_draft_action", "publish_action"]
    shown = ("jurisdiction", "version", "status", "effective_on", "retired_on", "based_on", "source_file")
    fields = shown

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.status == CatalogueVersion.Status.DRAFT:
            return [f for f in self.shown if f != "version"]  # a draft may be renumbered
        return list(self.shown)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from a data file or from a draft

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases and guides cite versions

    @admin.action(description=_("Start a draft from the selected version"))
    def start_draft_action(self, request: HttpRequest, queryset: QuerySet[CatalogueVersion]) -> None:
        for based_on in queryset.exclude(status=CatalogueVersion.Status.DRAFT):
            taken = set(
                CatalogueVersion.objects.filter(jurisdiction=based_on.jurisdiction).values_list(
                    "version", flat=True
                )
            )
            name = next(
                f"{based_on.version}-draft{n}"
                for n in range(1, 1000)
                if f"{based_on.version}-draft{n}" not in taken
            )
            draft = start_draft(based_on=based_on, version=name, by=request.user)  # type: ignore[arg-type]
            self.message_user(
                request,
                _("Draft %(version)s started; edit its items, then publish it.") % {"version": draft.version},
            )

    @admin.action(description=_("Publish the selected draft (shows the changes first)"))
    def publish_action(
        self, request: HttpRequest, queryset: QuerySet[CatalogueVersion]
    ) -> HttpResponse | None:
        drafts = list(queryset.filter(status=CatalogueVersion.Status.DRAFT).select_related("jurisdiction"))
        if len(drafts) != 1:
            self.message_user(request, _("Choose exactly one draft to publish."), messages.ERROR)
            return None
        draft = drafts[0]
        if request.POST.get("confirm") == "yes":
            try:
                publish_version(version=draft, by=request.user)  # type: ignore[arg-type]
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return None
            self.message_user(request, _("Version %(version)s is in force.") % {"version": draft.version})
            return None
        current = CatalogueVersion.objects.filter(
            jurisdiction=draft.jurisdiction, status=CatalogueVersion.Status.IN_FORCE
        ).first()
        try:
            changes = version_diff(version_entries(current) if current else [], version_entries(draft))
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/catalogue/publish_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Publish catalogue version %(version)s") % {"version": draft.version},
                "draft": draft,
                "current": current,
                "changes": changes,
                "opts": self.model._meta,
                "action": "publish_action",
            },
        )


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
