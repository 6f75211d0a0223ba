from django.contrib import admin

from daiban.common.admin import JurisdictionScopedAdmin, OperatorRecordAdmin

from .models import AssessmentWeight, DashboardSnapshot


@admin.register(AssessmentWeight)
class AssessmentWeightAdmin(JurisdictionScopedAdmin):
    """Administrators set how much each indicator counts in their jurisdiction's ranking."""

    list_display = ["jurisdiction", "target", "indicator", "weight"]
    list_filter = ["jurisdiction", "target"]


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(OperatorRecordAdmin):
    """For operators: when the worker last counted the city's figures and how long it took. The figures
    themselves (every district's numbers) are not shown."""

    list_display = ["key", "computed_at", "computed_on", "seconds"]
    readonly_fields = ["key", "computed_at", "computed_on", "seconds"]
    exclude = ["figures"]
