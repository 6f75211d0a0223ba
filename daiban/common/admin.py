"""The admin's common ground: every edit audited, and one scoping rule for every model admin."""

from collections.abc import Callable
from typing import Any, Literal, cast

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .audit import admin_verb, jurisdiction_code_of, record, snapshot
from .models import AuditEntry
from .validators import validate_date_in_range


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


# ---------------------------------------------------------------------------------------------------------
# Scoping: an administrator of a jurisdiction manages its rows and nothing else.
# ---------------------------------------------------------------------------------------------------------

_SCOPE_ATTR = "_daiban_administered_jurisdictions"


def administered_jurisdictions(request: HttpRequest) -> dict[str, str]:
    """Code → name of the jurisdictions the signed-in person administers (every one for the platform
    superuser), read once per request.

    The rule who administers what belongs to the organizations app, above this one; it is named in the
    setting `DAIBAN_ADMINISTERED_JURISDICTIONS` (a dotted path, like Django's own pluggable callables) so
    that every app's admin, the calendar's below organizations included, scopes by the same rule."""
    cached: dict[str, str] | None = getattr(request, _SCOPE_ATTR, None)
    if cached is None:
        rule = cast(
            Callable[[Any], dict[str, str]], import_string(settings.DAIBAN_ADMINISTERED_JURISDICTIONS)
        )
        user = request.user
        cached = rule(user) if user.is_authenticated and user.is_active else {}
        setattr(request, _SCOPE_ATTR, cached)
    return cached


def is_platform_operator(request: HttpRequest) -> bool:
    """The platform superuser: the only one who edits national data and the jurisdictions themselves."""
    return bool(request.user.is_active and request.user.is_superuser)


def is_administrator(request: HttpRequest) -> bool:
    return is_platform_operator(request) or bool(administered_jurisdictions(request))


def jurisdiction_lookup(model: type[Model], path: str | None = None) -> str | None:
    """The ORM lookup from `model` to a jurisdiction's code, built from the same path the audit trail
    follows (`AUDIT_JURISDICTION`, else the `jurisdiction` field); None for a model of no jurisdiction."""
    path = getattr(model, "AUDIT_JURISDICTION", "jurisdiction") if path is None else path
    names = [name for name in path.split(".") if name]
    if not names:
        return "code"  # the jurisdiction itself
    current: type[Model] = model
    field: Any = None
    for name in names:
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.is_relation:
            current = field.related_model
    lookup = "__".join(names)
    return f"{lookup}__code" if field.is_relation else lookup


def scope_to_administrator(
    request: HttpRequest, queryset: QuerySet[Any], path: str | None = None
) -> QuerySet[Any]:
    """The rows of `queryset` the person administers: all for the platform superuser; for a jurisdiction's
    administrator those of its jurisdictions (never the national rows of no jurisdiction); none for anyone
    else. A model of no jurisdiction is not scoped here."""
    if is_platform_operator(request):
        return queryset
    lookup = jurisdiction_lookup(queryset.model, path)
    if lookup is None:
        return queryset
    codes = administered_jurisdictions(request)
    return queryset.filter(**{f"{lookup}__in": list(codes)}).distinct()


class ScopedChoicesMixin:
    """Every foreign-key and many-to-many choice (select, raw id, autocomplete) is limited to what the person
    administers: the rows the target model's own admin shows them (so people follow the user admin's
    rule), else the target's jurisdiction path. A posted id outside the choices fails the form."""

    admin_site: admin.AdminSite

    def scoped_choices(self, model: type[Model], request: HttpRequest) -> QuerySet[Any]:
        target_admin = self.admin_site._registry.get(model)
        if target_admin is not None:
            return target_admin.get_queryset(request)
        return scope_to_administrator(request, model._default_manager.all())

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Dates typed in the admin follow the same range rule as the pages' forms."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(formfield, forms.DateField) and not isinstance(formfield, forms.DateTimeField):
            formfield.validators.append(validate_date_in_range)
        return formfield

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", self.scoped_choices(db_field.related_model, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", self.scoped_choices(db_field.related_model, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def refuse_outside_scope(request: HttpRequest, obj: Model) -> None:
    """The last guard before a write: the row (as it will be saved) belongs to a jurisdiction the person
    administers. National rows (no jurisdiction) are the platform operator's."""
    if is_platform_operator(request):
        return
    if jurisdiction_lookup(type(obj)) is None:
        return
    if jurisdiction_code_of(obj) not in administered_jurisdictions(request):
        raise PermissionDenied(_("This record belongs to another jurisdiction or to the whole country."))


class JurisdictionScopedAdmin(ScopedChoicesMixin, AuditedModelAdmin):
    """The one base of every model admin administrators use: a jurisdiction's administrator lists, opens,
    adds, changes, deletes and picks only rows of the jurisdictions they administer; national rows and
    (with `operator_only`) whole models are the platform superuser's.

    `jurisdiction_path` is the dotted path to the jurisdiction, by default the model's
    `AUDIT_JURISDICTION` — the same path the audit trail follows, so the two cannot disagree. Scoping
    sits in the queryset, so the change form, delete, actions, autocomplete and history of another
    jurisdiction's row all answer "does not exist"; list filters over relations offer only related rows
    that occur in that queryset."""

    jurisdiction_path: str | None = None
    operator_only = False  # administrators may look but only the platform superuser writes

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope_to_administrator(request, super().get_queryset(request), self.jurisdiction_path)

    def _may_write(self, request: HttpRequest) -> bool:
        return is_platform_operator(request) if self.operator_only else is_administrator(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_write(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_write(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_write(request)

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A plain related-field filter would list every jurisdiction's rows (names of other counties'
        units, people); offer only those related to rows the person may see."""
        scoped: list[Any] = []
        for spec in super().get_list_filter(request):
            if isinstance(spec, str) and "__" not in spec:
                field = self.model._meta.get_field(spec)
                if field.is_relation:
                    spec = (spec, admin.RelatedOnlyFieldListFilter)
            scoped.append(spec)
        return scoped

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        refuse_outside_scope(request, obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        refuse_outside_scope(request, obj)
        super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form.instance is not None:
                refuse_outside_scope(request, inline_form.instance)
        super().save_formset(request, form, formset, change)


class ScopedInline(ScopedChoicesMixin, admin.TabularInline[Any, Any]):
    """Inline rows follow their parent's rule (the parent admin already scoped the parent row); without
    this Django would drop them for administrators, who hold a role rather than Django model permissions,
    and silently ignore what they typed."""

    extra = 0

    def _parent_allows(self, request: HttpRequest, obj: Any) -> bool:
        parent = self.admin_site._registry.get(self.parent_model)
        if parent is None:
            return is_platform_operator(request)
        return bool(parent.has_change_permission(request, obj))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_allows(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_allows(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_allows(request, obj)


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
