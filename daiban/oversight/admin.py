from django.contrib import admin

from daiban.organizations.admin import JurisdictionScopedAdmin

from .models import AssessmentWeight


@admin.register(AssessmentWeight)
class AssessmentWeightAdmin(JurisdictionScopedAdmin):
    """Administrators set how much each indicator counts in their jurisdiction's ranking."""

    list_display = ["jurisdiction", "target", "indicator", "weight"]
    list_filter = ["jurisdiction", "target"]
