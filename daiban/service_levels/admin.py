"""Service levels in the scoped admin: a jurisdiction's administrator edits its own limits (1 to
`MAX_DAYS` working days each, refused with a message otherwise); clocks are the sweep's, shown read-only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from daiban.common.admin import JurisdictionScopedAdmin

from .models import FIELD_OF, ServiceLevel
from .services import check_levels


class ServiceLevelForm(forms.ModelForm[ServiceLevel]):
    class Meta:
        model = ServiceLevel
        fields = ["jurisdiction", *FIELD_OF.values(), "confirmed", "source"]

    def clean(self) -> dict[str, Any]:
        """The service's own check (the one `set_service_levels` makes), so the admin and the onboarding
        refuse the same numbers with the same words."""
        data = super().clean() or {}
        given = {str(p): data[f] for p, f in FIELD_OF.items() if f in data and data[f] is not None}
        try:
            check_levels(given)
        except forms.ValidationError as error:
            for promise, messages in error.message_dict.items():
                self.add_error(FIELD_OF.get(promise) or None, messages)  # type: ignore[call-overload]
        return data


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
            field.error_messages["invalid"] = _("Enter a whole number of working days.")
        return field
