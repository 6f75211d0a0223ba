from django.contrib import admin

from daiban.organizations.admin import JurisdictionScopedAdmin, ScopedInline

from .models import ApprovalItem, CatalogueVersion, Fee, ItemPrerequisite, Material, ResultDocument


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
