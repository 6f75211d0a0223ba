"""Administrators keep the calendar: each November the State Council announces the next year's
holidays and make-up working days, often before the library knows them."""

from typing import Any

from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.admin import AuditedModelAdmin

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


def _is_calendar_keeper(request: HttpRequest) -> bool:
    """Administrators (the role sets is_staff) and the platform superuser keep the calendar."""
    return bool(request.user.is_active and request.user.is_staff)


class CalendarDayInline(admin.TabularInline[CalendarDay, CalendarYear]):
    model = CalendarDay
    formset = CalendarDayFormSet

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_calendar_keeper(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_calendar_keeper(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_calendar_keeper(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_calendar_keeper(request)

    extra = 3
    fields = ["date", "kind", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedModelAdmin):
    list_display = ["year", "jurisdiction_code", "source", "notice", "updated_at"]
    list_filter = ["source", "jurisdiction_code"]
    inlines = [CalendarDayInline]
    readonly_fields = ["source", "updated_at"]

    def _allowed(self, request: HttpRequest) -> bool:
        return _is_calendar_keeper(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

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
