"""Service levels in the scoped admin: a jurisdiction's administrator edits its own limits (1 to
`MAX_DAYS` working days each, refused with a message otherwise). Promise clocks are the sweep's and
not edited by hand."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from daiban.common.admin import JurisdictionScopedAdmin

from .models import FIELD_OF, LIMIT_VALIDATORS, MAX_DAYS, ServiceLevel


class ServiceLevelForm(forms.ModelForm[ServiceLevel]):
    class Meta:
        model = ServiceLevel
        fields = ["jurisdiction", *FIELD_OF.values(), "confirmed", "source"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(JurisdictionScopedAdmin):
    form = ServiceLevelForm
    list_display = ["jurisdiction", *FIELD_OF.values(), "confirmed"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The jurisdiction of an existing row does not move to another one.
        return [*self.readonly_fields, "jurisdiction"] if obj is not None else self.readonly_fields

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in FIELD_OF.values() and field is not None:
            # The model's limits and words only (not the column's "at least 0" as well).
            field.validators = list(LIMIT_VALIDATORS)
            field.widget.attrs.update(min=1, max=MAX_DAYS)
            field.error_messages["invalid"] = _("Enter a whole number of working days.")
        return field
