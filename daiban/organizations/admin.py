"""Admin for administrators. An administrator holds the role in a jurisdiction and sees only its data;
the platform superuser sees everything."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from daiban.common.admin import AuditedModelAdmin

from .models import (
    Jurisdiction,
    Role,
    RoleAssignment,
    Section,
    Unit,
    User,
    Window,
    WorkingGroup,
    WorkingGroupChange,
    WorkingGroupMember,
)
from .selectors import jurisdictions_where


def administered_jurisdiction_ids(request: HttpRequest) -> set[int] | None:
    """None means unrestricted (superuser)."""
    if request.user.is_superuser:
        return None
    return jurisdictions_where(request.user, Role.ADMINISTRATOR)


def scoped_choices(model: type[Model], ids: set[int]) -> QuerySet[Any] | None:
    """What an administrator of jurisdictions `ids` may pick for a foreign key to `model` (None: not scoped
    here), so no form saves a row pointing into another jurisdiction."""
    where = {
        Jurisdiction: Q(id__in=ids),
        Unit: Q(jurisdiction_id__in=ids),
        Section: Q(department__jurisdiction_id__in=ids),
        WorkingGroup: Q(jurisdiction_id__in=ids),
        WorkingGroupMember: Q(group__jurisdiction_id__in=ids),
    }.get(model)
    return None if where is None else model._default_manager.filter(where)


def _is_administrator(request: HttpRequest) -> bool:
    return bool(
        request.user.is_active and (request.user.is_superuser or administered_jurisdiction_ids(request))
    )


class ScopedInline(admin.TabularInline[Any, Any]):
    """Inlines follow their parent's rule; without this Django would drop them for administrators, who
    hold a role rather than Django model permissions, and silently ignore what they typed."""

    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = administered_jurisdiction_ids(request)
        choices = scoped_choices(db_field.remote_field.model, ids) if ids is not None else None
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class JurisdictionScopedAdmin(AuditedModelAdmin):
    """Administrators of a jurisdiction manage its configuration and nothing else."""

    jurisdiction_path = "jurisdiction"

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active and (request.user.is_superuser or administered_jurisdiction_ids(request))
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        ids = administered_jurisdiction_ids(request)
        if ids is None:
            return qs
        return qs.filter(**{f"{self.jurisdiction_path}__in": ids}).distinct()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = administered_jurisdiction_ids(request)
        choices = scoped_choices(db_field.remote_field.model, ids) if ids is not None else None
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Jurisdiction)
class JurisdictionAdmin(JurisdictionScopedAdmin):
    jurisdiction_path = "id"
    list_display = ["code", "name", "level", "parent"]


class SectionInline(ScopedInline):
    model = Section


class WindowInline(ScopedInline):
    model = Window


@admin.register(Unit)
class UnitAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "short_name", "kind", "jurisdiction", "is_active"]
    list_filter = ["jurisdiction", "kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    inlines = [SectionInline, WindowInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(JurisdictionScopedAdmin):
    list_display = ["user", "role", "jurisdiction", "unit", "section", "revoked_at"]
    list_filter = ["jurisdiction", "role"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    """People: only the platform superuser manages accounts here; administrators grant roles."""

    list_display = ["username", "full_name", "mobile", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "mobile"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Contact"), {"fields": ("full_name", "mobile")}),
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Administrators may look people up (role autocomplete) but not edit accounts.
        return bool(request.user.is_superuser or administered_jurisdiction_ids(request))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Administrators look up the people of their own jurisdictions, and accounts that hold no role
        and represent no enterprise yet (new staff the superuser created, to grant a first role); nobody
        else's."""
        qs = super().get_queryset(request)
        ids = administered_jurisdiction_ids(request)
        if ids is None:
            return qs
        # `represents`: projects.ApplicantRepresentative, an enterprise's users (named, not imported: it is
        # above).
        fresh = Q(role_assignments__isnull=True, represents__isnull=True)
        return qs.filter(Q(role_assignments__jurisdiction_id__in=ids) | fresh).distinct()


class WorkingGroupMemberInline(ScopedInline):
    model = WorkingGroupMember
    autocomplete_fields = ["user"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "jurisdiction", "office"]
    inlines = [WorkingGroupMemberInline]


@admin.register(WorkingGroupChange)
class WorkingGroupChangeAdmin(JurisdictionScopedAdmin):
    jurisdiction_path = "group__jurisdiction"
    list_display = ["filed_on", "group", "kind", "member_in", "member_out", "reason"]
