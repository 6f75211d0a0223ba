from django.contrib import admin
from django.http import HttpRequest

from daiban.organizations.admin import JurisdictionScopedAdmin

from .models import AssessmentWeight, DashboardSnapshot


@admin.register(AssessmentWeight)
class AssessmentWeightAdmin(JurisdictionScopedAdmin):
    """Administrators set how much each indicator counts in their jurisdiction's ranking."""

    list_display = ["jurisdiction", "target", "indicator", "weight"]
    list_filter = ["jurisdiction", "target"]


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(admin.ModelAdmin):
    """For operators (platform superusers): when the worker last counted the city's figures and how long it
    took. Read-only: the job writes it; the figures hold every district's numbers."""

    list_display = ["key", "computed_at", "computed_on", "seconds"]
    readonly_fields = ["key", "computed_at", "computed_on", "seconds"]
    exclude = ["figures"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)
