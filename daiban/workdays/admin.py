"""Administrators keep the calendar: each November the State Council announces the next year's
holidays and make-up working days, often before the library knows them."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.admin import (
    JurisdictionScopedAdmin,
    ScopedInline,
    administered_jurisdictions,
    is_platform_operator,
)

from .models import CalendarDay, CalendarYear
from .selectors import missing_next_year


class CalendarDayFormSet(BaseInlineFormSet[CalendarDay, CalendarYear, Any]):
    """The parent year is not saved yet when its days are validated, so check them against it here."""

    def clean(self) -> None:
        super().clean()
        year = getattr(self.instance, "year", None)
        for form in self.forms:
            day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
            if day and year and day.year != year and not form.cleaned_data.get("DELETE"):
                form.add_error("date", _("The date must lie in the calendar year."))


class CalendarDayInline(ScopedInline):
    """A year's days: editable by whoever may change the year (the national year: the superuser alone)."""

    model = CalendarDay
    formset = CalendarDayFormSet
    extra = 3
    fields = ["date", "kind", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(JurisdictionScopedAdmin):
    """The national schedule (no jurisdiction) moves every jurisdiction's deadlines: the platform superuser
    keeps it. A jurisdiction's administrator keeps local exceptions for their own jurisdiction, picked from
    a list, never typed."""

    list_display = ["year", "jurisdiction_code", "source", "notice", "updated_at"]
    list_filter = ["source", "jurisdiction_code"]
    inlines = [CalendarDayInline]
    readonly_fields = ["source", "updated_at"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The jurisdiction is a choice among the person's own (a plain code column: the calendar sits
        below the organizations app, so it cannot hold a foreign key to a jurisdiction)."""
        if db_field.name != "jurisdiction_code":
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        choices = [(code, f"{name}（{code}）") for code, name in administered_jurisdictions(request).items()]
        operator = is_platform_operator(request)
        if operator:
            choices.insert(0, ("", _("National schedule")))
        return forms.ChoiceField(
            label=db_field.verbose_name, choices=choices, required=not operator, initial=""
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_operator(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.source = CalendarYear.Source.ADMIN
        super().save_model(request, obj, form, change)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        year = missing_next_year(timezone.localdate())
        if year is not None:
            messages.warning(
                request,
                _(
                    "The holiday schedule for %(year)s has not been entered; "
                    "deadlines running into %(year)s cannot be computed."
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)
