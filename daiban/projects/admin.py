from django.contrib import admin

from daiban.common.admin import JurisdictionScopedAdmin, ScopedInline

from .models import Applicant, ApplicantRepresentative, Project


class RepresentativeInline(ScopedInline):
    model = ApplicantRepresentative
    autocomplete_fields = ["user"]


@admin.register(Applicant)
class ApplicantAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "uscc", "jurisdiction", "contact_name", "contact_mobile"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "uscc"]
    inlines = [RepresentativeInline]


@admin.register(Project)
class ProjectAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "project_code", "applicant", "jurisdiction", "location", "kind"]
    list_filter = ["jurisdiction", "kind"]
    search_fields = ["name", "project_code", "applicant__name"]
    raw_id_fields = ["applicant"]
