"""Admin for administrators. An administrator holds the role in a jurisdiction and sees only its data
(`daiban.common.admin.JurisdictionScopedAdmin`); the platform superuser sees everything."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from daiban.common.admin import (
    JurisdictionScopedAdmin,
    ScopedInline,
    administered_jurisdictions,
    is_administrator,
    is_platform_operator,
)

from .models import (
    Jurisdiction,
    RoleAssignment,
    Section,
    ServiceZone,
    Unit,
    User,
    Window,
    WorkingGroup,
    WorkingGroupChange,
    WorkingGroupMember,
)


@admin.register(Jurisdiction)
class JurisdictionAdmin(JurisdictionScopedAdmin):
    """The jurisdictions and their hierarchy are the platform's structure: an administrator sees their own,
    only the platform superuser adds or changes one (a county that set its own level or parent would widen
    its reach)."""

    operator_only = True
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


@admin.register(ServiceZone)
class ServiceZoneAdmin(JurisdictionScopedAdmin):
    """Address, opening hours and phone of the 帮代办专区, shown on the jurisdiction's public pages."""

    list_display = ["name", "jurisdiction", "address", "hours", "phone", "is_active"]
    list_filter = ["jurisdiction", "is_active"]


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
        return is_platform_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Administrators may look people up (role autocomplete) but not edit accounts.
        return is_administrator(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Administrators look up the people of their own jurisdictions — staff holding (or once held) a
        role there and the representatives of its enterprises — and accounts that hold no role and represent
        no enterprise yet (new staff the superuser created, to grant a first role); nobody else's."""
        qs = super().get_queryset(request)
        if is_platform_operator(request):
            return qs
        codes = list(administered_jurisdictions(request))
        # `represents`: projects.ApplicantRepresentative, an enterprise's users (named, not imported: it is
        # above).
        fresh = Q(role_assignments__isnull=True, represents__isnull=True)
        staff = Q(role_assignments__jurisdiction__code__in=codes)
        represented = Q(represents__applicant__jurisdiction__code__in=codes)
        return qs.filter(staff | represented | fresh).distinct()


class FiledWithTheOffice:
    """Members change only by a change filed (备案) with the group's office on its page
    (`organizations:working_group_change`), so the roster and its history agree: the admin shows them and
    changes nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkingGroupMemberInline(FiledWithTheOffice, ScopedInline):
    model = WorkingGroupMember


@admin.register(WorkingGroup)
class WorkingGroupAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "jurisdiction", "office"]
    inlines = [WorkingGroupMemberInline]


@admin.register(WorkingGroupChange)
class WorkingGroupChangeAdmin(FiledWithTheOffice, JurisdictionScopedAdmin):
    list_display = ["filed_on", "group", "kind", "member_in", "member_out", "reason"]
