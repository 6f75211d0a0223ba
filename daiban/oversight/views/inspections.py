"""督促检查: inspections, their findings and the actions each unit must take."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.common.forms import DoneForm, add_service_errors, posted_step

from ..forms import ActionForm, InspectionForm
from ..permissions import can_record_inspections, can_report_done, dashboard_viewers, supervisors_only
from ..selectors import inspectable_units, inspections_visible_to, supervised_jurisdictions
from ..services import ActionData, complete_required_action, record_inspection

ACTION_ROWS = 3


@dashboard_viewers
def inspection_list(request: HttpRequest) -> HttpResponse:
    inspections = (
        inspections_visible_to(request.user)
        .select_related("jurisdiction")
        .prefetch_related("units", "actions")
    )
    page = Paginator(inspections, 30).get_page(request.GET.get("page"))
    return render(request, "oversight/inspection_list.html", {
        "page": page, "can_record": can_record_inspections(request.user), "today": timezone.localdate(),
    })  # fmt: skip


@supervisors_only
def inspection_create(request: HttpRequest) -> HttpResponse:
    jurisdictions = supervised_jurisdictions(request.user)
    units = inspectable_units(jurisdictions)
    form = InspectionForm(
        request.POST or None,
        jurisdictions=jurisdictions,
        units=units,
        initial={"held_on": timezone.localdate()},
    )
    rows = [ActionForm(request.POST or None, units=units, prefix=f"a{i}") for i in range(ACTION_ROWS)]
    if request.method == "POST" and form.is_valid() and all(r.is_valid() for r in rows):
        c = form.cleaned_data
        actions = [ActionData(unit=r.cleaned_data["unit"], action=r.cleaned_data["action"], due_on=r.cleaned_data["due_on"])
                   for r in rows if r.cleaned_data.get("action")]  # fmt: skip
        try:
            inspection = record_inspection(
                jurisdiction=c["jurisdiction"], held_on=c["held_on"], units=list(c["units"]), inspectors=c["inspectors"],
                scope=c["scope"], findings=c["findings"], actions=actions, by=request.user,  # type: ignore[arg-type]
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("oversight:inspection_detail", pk=inspection.pk)
    return render(request, "oversight/inspection_form.html", {"form": form, "rows": rows},
                  status=400 if request.method == "POST" else 200)  # fmt: skip


@dashboard_viewers
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        inspections_visible_to(request.user).select_related("jurisdiction", "recorded_by"), pk=pk
    )
    actions = [(a, can_report_done(request.user, a)) for a in inspection.actions.select_related("unit")]
    return render(request, "oversight/inspection_detail.html", {
        "inspection": inspection, "actions": actions, "units": inspection.units.all(), "today": timezone.localdate(),
        "done_form": DoneForm(initial={"done_on": timezone.localdate()}),
    })  # fmt: skip


@dashboard_viewers
@require_POST
def required_action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    inspection = get_object_or_404(inspections_visible_to(request.user), pk=pk)
    action = get_object_or_404(inspection.actions, pk=action_pk)
    posted_step(request, DoneForm(request.POST), lambda d: complete_required_action(
        action=action, done_on=d["done_on"], note=d["note"], by=request.user,  # type: ignore[arg-type]
    ), _("Saved."))  # fmt: skip
    return redirect("oversight:inspection_detail", pk=pk)
