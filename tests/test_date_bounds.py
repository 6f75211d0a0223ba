"""One range for every date a person types (2000 to ten years ahead), in every form of the pages and the
admin: found by walking every form class and every admin form, so a date field added later without the
rule fails here."""

import datetime as dt
import importlib
import pkgutil
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

import daiban
from daiban.common.forms import DateField
from daiban.common.validators import EARLIEST_DATE, latest_date, validate_date_in_range


def _all_form_classes() -> list[Any]:
    for module in pkgutil.walk_packages(daiban.__path__, "daiban."):
        if ".tests" not in module.name and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[Any] = []
    todo: list[Any] = [forms.Form]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("daiban."):
            found.append(cls)
    return found


def test_every_date_field_of_every_page_form_has_the_range_rule():
    checked, missing = 0, []
    for form_class in _all_form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                checked += 1
                if validate_date_in_range not in field.validators:
                    missing.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert missing == []
    assert checked >= 15  # the inspection, plan, visit, delivery … dates


@pytest.mark.django_db
def test_every_date_field_of_every_admin_form_has_the_range_rule(django_user_model):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser("dates-root", password="pw-for-tests-1")
    checked, missing = 0, []
    for model, model_admin in admin.site._registry.items():
        admins: list[Any] = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            form = each.get_formset(request).form if each is not model_admin else each.get_form(request)
            for name, field in form.base_fields.items():
                if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                    checked += 1
                    if validate_date_in_range not in field.validators:
                        missing.append(f"{model._meta.label} {type(each).__name__}.{name}")
    assert missing == []
    assert checked >= 4  # policy issued, working group joined/left/filed, calendar day


@pytest.mark.parametrize(
    ("typed", "valid"),
    [
        ("1900-01-01", False),
        ("1999-12-31", False),
        (EARLIEST_DATE.isoformat(), True),
        ("2026-11-20", True),
        (latest_date().isoformat(), True),
        ((latest_date() + dt.timedelta(days=1)).isoformat(), False),
        ("2099-01-01", False),
    ],
)
def test_the_range(typed, valid):
    class Form(forms.Form):
        on = DateField()

    form = Form({"on": typed})
    assert form.is_valid() is valid
    if not valid:
        assert "2000-01-01" in form.errors["on"][0]  # says what is possible (in Chinese once translated)


@pytest.mark.django_db
def test_an_inspection_dated_1900_and_a_plan_date_in_2099_are_refused(youyang):
    from daiban.oversight.forms import InspectionForm
    from daiban.planning.views import AdjustForm

    inspection = InspectionForm(
        {"held_on": "1900-01-01"},
        jurisdictions=type(youyang).objects.filter(pk=youyang.pk),
        units=youyang.units.all(),
    )
    assert not inspection.is_valid() and "held_on" in inspection.errors
    plan = AdjustForm({"start_on": "2099-01-01"})
    assert not plan.is_valid() and "start_on" in plan.errors
