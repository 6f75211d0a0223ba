"""Glue between forms and service functions (a service's ValidationError lands on the right form fields,
a posted step reports its outcome), and the form pieces every app's pages share."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .validators import validate_date_in_range
from .workflow import NotYourStep


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target if field != NON_FIELD_ERRORS else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def report_outcome(request: HttpRequest, action: Callable[[], object], done: str) -> bool:
    """Run one service call for a POSTed step and tell the person how it went (the refusal's Chinese
    message, or `done`); the caller redirects back to the page the step was taken from. A step that is
    someone else's to take (`NotYourStep`) is a 403 with its reason, not a message."""
    try:
        action()
    except NotYourStep as exc:
        raise PermissionDenied(" ".join(exc.messages)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def form_error_text(form: forms.BaseForm) -> str:
    """A form's errors as one line, for a step posted from a page that shows it as a message."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def posted_step(
    request: HttpRequest, form: forms.BaseForm, step: Callable[[dict[str, Any]], object], done: str
) -> bool:
    """A step posted from a page that shows its outcome as a message: the form's errors, the service's
    refusal, or `done`. The service runs only on a valid form, so a bad field saves nothing."""
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return False
    return report_outcome(request, lambda: step(form.cleaned_data), done)


_M = TypeVar("_M", bound=models.Model)


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[_M]) -> forms.ModelChoiceField[_M]:
    """Offer only `queryset` in the form's model choice field `name` (one choice or several) and return the
    field. Which objects a person may choose depends on who asks, so forms declare such fields with an
    empty queryset and narrow them here."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):  # a ModelMultipleChoiceField is one too
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    field.queryset = queryset
    return field


class DateInput(forms.DateInput):
    """The browser's date picker: its value must be ISO (YYYY-MM-DD) whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """Every date a person types in our forms: the date picker, and the one range rule
    (`validators.validate_date_in_range`: 2000 to ten years ahead) so 1900 or 2099 is refused with a
    message before any deadline arithmetic sees it."""

    widget = DateInput
    default_validators = [validate_date_in_range]


class DoneForm(forms.Form):
    """Reporting a task done (a meeting's follow-up, an inspection's required action): when, and the
    result."""

    done_on = DateField(label=_("done on"))
    note = forms.CharField(label=_("result"), max_length=255, required=False)


class OptionalRowForm(forms.Form):
    """One of a few blank rows under a larger form (follow-ups of a meeting, actions of an inspection): left
    empty it is skipped; started, every field in `together` is needed, or `incomplete` is said."""

    together: tuple[str, ...] = ()
    incomplete: Any = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        filled = [bool(cleaned.get(name)) for name in self.together]
        if any(filled) and not all(filled):
            raise forms.ValidationError(self.incomplete)
        return cleaned
