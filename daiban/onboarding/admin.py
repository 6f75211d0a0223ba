from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from daiban.common.admin import JurisdictionScopedAdmin

from .models import OnboardingRecord


@admin.register(OnboardingRecord)
class OnboardingRecordAdmin(JurisdictionScopedAdmin):
    """What the last onboarding file said: read only (load a changed file to change it). The district's
    units, service zones and catalogue are adjusted on their own admin pages."""

    list_display = ["jurisdiction", "source_file", "loaded_at", "applied_at"]
    readonly_fields = [
        "jurisdiction",
        "source_file",
        "checksum",
        "loaded_at",
        "routing",
        "service_levels",
        "applied_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
