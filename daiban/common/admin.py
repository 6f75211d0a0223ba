from typing import Any, Literal

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from .audit import admin_verb, record, snapshot
from .models import AuditEntry


class AuditedModelAdmin(admin.ModelAdmin[Any]):  # the base of many models' admins
    """Admin edits are writes too: each save or delete leaves an audit entry in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            record(
                actor=request.user,
                verb=admin_verb(obj, "changed" if change else "added"),
                target=obj,
                before=before,
                after=snapshot(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            before = snapshot(obj)
            record(
                actor=request.user,
                verb=admin_verb(obj, "deleted"),
                target=obj,
                before=before,
            )
            super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (sections, materials, calendar days …) are audited one by one."""
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            rows: list[
                tuple[
                    Any, Literal["added", "changed", "deleted"], dict[str, Any] | None, dict[str, Any] | None
                ]
            ]
            rows = [(obj, "added", None, snapshot(obj)) for obj in formset.new_objects]
            rows += [(obj, "changed", None, snapshot(obj)) for obj, _fields in formset.changed_objects]
            rows += [(obj, "deleted", snapshot(obj), None) for obj in formset.deleted_objects]
            for obj, what, before, after in rows:
                record(
                    actor=request.user,
                    verb=admin_verb(obj, what),
                    target=obj,
                    before=before,
                    after=after,
                )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class OperatorRecordAdmin(admin.ModelAdmin[Any]):
    """Records the system writes for itself (the audit trail, job outputs): platform superusers may look,
    nobody adds, edits or deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)


@admin.register(AuditEntry)
class AuditEntryAdmin(OperatorRecordAdmin):
    """The audit trail is never edited."""

    list_display = ["at", "verb", "target_label", "actor", "jurisdiction_code"]
    list_filter = ["verb", "jurisdiction_code"]
    search_fields = ["target_label", "verb", "target_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
