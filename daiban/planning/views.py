from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from daiban.cases.models import CaseItem
from daiban.cases.permissions import agents_only
from daiban.cases.selectors import requests_visible_to
from daiban.common.access import signed_in
from daiban.common.forms import DateField, limit_choices
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.selectors import is_staff_person
from daiban.workdays.engine import CalendarYearUnknown

from .construction import MAX_DAYS
from .engine import PlanCycleError
from .models import PlanMilestone
from .printing import plan_pdf
from .selectors import plan_for_request
from .services import add_milestone, adjust_item, may_edit_plan, remove_milestone, set_construction_period


class MilestoneForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("milestone"), max_length=100)
    on = DateField(label=gettext_lazy("date"), required=False)
    after_item = forms.ModelChoiceField(
        label=gettext_lazy("or after item"), queryset=CaseItem.objects.none(), required=False
    )
    after_days = forms.IntegerField(
        label=gettext_lazy("calendar days after it"), min_value=0, max_value=3650, initial=0
    )
    before_items = forms.ModelMultipleChoiceField(
        label=gettext_lazy("items that wait for it"),
        queryset=CaseItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, items: QuerySet[CaseItem] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if items is not None:
            limit_choices(self, "after_item", items)
            limit_choices(self, "before_items", items)


class ConstructionPeriodForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("construction period (calendar days)"),
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text=gettext_lazy("Leave empty for the default of the project's construction type."),
    )


class AdjustForm(forms.Form):
    start_on = DateField(label=gettext_lazy("planned filing date"), required=False)


@signed_in
def request_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The request's 预排工期: planned and predicted dates, the critical path, plan versus actual."""
    service_request = get_object_or_404(
        requests_visible_to(request.user).select_related("project", "jurisdiction", "applicant"), pk=pk
    )
    error = ""
    plan = None
    try:
        plan = plan_for_request(service_request)
    except CalendarYearUnknown as exc:
        error = exc.user_message
    except PlanCycleError as exc:
        error = str(exc)
    editable = may_edit_plan(request.user, service_request)
    staff_view = is_staff_person(request.user)
    items = service_request.items.select_related("approval_item")
    gantt_tasks = [
        {
            "id": row.key,
            "name": row.name,
            "start": row.start.isoformat(),
            "end": row.finish.isoformat(),
            "dependencies": ", ".join(row.prerequisites),
            "progress": 100 if row.actual else 0,
            "custom_class": "bar-critical" if row.critical else "",
        }
        for row in (plan.rows if plan else [])
    ]
    return render(
        request,
        "planning/request_plan.html",
        {
            "req": service_request,
            "plan": plan,
            "error": error,
            "editable": editable,
            "staff_view": staff_view,
            "assumed": "、".join(str(year) for year in plan.assumed_years) if plan else "",
            "gantt_tasks": gantt_tasks,
            "milestone_form": MilestoneForm(items=items) if editable else None,
            "construction_form": ConstructionPeriodForm(
                initial={"days": plan.construction.days if plan.construction.edited else None}
            )
            if editable and plan and plan.construction
            else None,
            "milestones": service_request.plan_milestones.select_related(
                "after_item__approval_item"
            ).prefetch_related("before_items__approval_item"),
        },
    )


def _back(pk: int) -> HttpResponse:
    return redirect("planning:request_plan", pk=pk)


@agents_only
@require_POST
def milestone_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(requests_visible_to(request.user), pk=pk)
    form = MilestoneForm(request.POST, items=service_request.items.all())
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(pk)
    d = form.cleaned_data
    try:
        add_milestone(
            request=service_request,
            name=d["name"],
            on=d["on"],
            after_item=d["after_item"],
            after_days=d["after_days"] or 0,
            before_items=list(d["before_items"]),
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(pk)


@agents_only
@require_POST
def milestone_remove(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    service_request = get_object_or_404(requests_visible_to(request.user), pk=pk)
    milestone = get_object_or_404(PlanMilestone.objects.filter(request=service_request), pk=milestone_pk)
    try:
        remove_milestone(milestone=milestone, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(pk)


@agents_only
@require_POST
def construction_period(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(requests_visible_to(request.user).select_related("project"), pk=pk)
    form = ConstructionPeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(pk)
    try:
        set_construction_period(request=service_request, days=form.cleaned_data["days"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(pk)


@agents_only
@require_POST
def item_adjust(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    service_request = get_object_or_404(requests_visible_to(request.user), pk=pk)
    item = get_object_or_404(service_request.items.select_related("request__jurisdiction"), pk=item_pk)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(pk)
    try:
        adjust_item(item=item, start_on=form.cleaned_data["start_on"], note="", by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(pk)


@signed_in
def request_plan_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(
        requests_visible_to(request.user).select_related("project", "jurisdiction", "applicant"), pk=pk
    )
    try:
        plan = plan_for_request(service_request)
    except (CalendarYearUnknown, PlanCycleError) as exc:
        return HttpResponse(
            getattr(exc, "user_message", str(exc)), status=409, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(plan_pdf(service_request, plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{service_request.reference}.pdf"'
    return response
