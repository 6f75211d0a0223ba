"""工作台账: each unit's quarterly ledger, who has submitted, submission, and the Excel export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.common.forms import add_service_errors
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Unit
from daiban.service_levels.selectors import clocks_in_scope, promise_counts, promise_rows
from daiban.workdays.quarters import Quarter

from ..exports import SUMMARY_COLUMNS, column_titles, ledger_workbook
from ..forms import LedgerForm
from ..ledger import ledger_due_on, ledger_figures
from ..models import QuarterlyLedger
from ..permissions import can_submit_ledger, dashboard_viewers, supervisors_only
from ..selectors import chosen_jurisdiction, ledger_units_visible_to, supervised_jurisdictions
from ..services import submit_ledger
from .quarters import quarter_from_path, quarter_from_query


@dashboard_viewers
@quarter_from_query
def ledger_list(request: AuthenticatedRequest, quarter: Quarter) -> HttpResponse:
    """工作台账: each responsible unit's ledger for the quarter, and who has submitted."""
    choices = list(supervised_jurisdictions(request.user))
    chosen = chosen_jurisdiction(choices, request.GET.get("j"))
    units = ledger_units_visible_to(request.user, chosen)
    submitted = {
        ledger.unit_id: ledger for ledger in QuarterlyLedger.objects.filter(unit__in=units).of(quarter)
    }
    rows = [(u, submitted.get(u.pk)) for u in units]
    return render(
        request,
        "oversight/ledger_list.html",
        {
            "rows": rows,
            "quarter": quarter,
            "choices": choices,
            "chosen": chosen,
            "submitted_count": len(submitted),
            "due_on": ledger_due_on(chosen, quarter) if chosen else None,
        },
    )


@dashboard_viewers
@quarter_from_path
def ledger_detail(request: AuthenticatedRequest, unit_pk: int, quarter: Quarter) -> HttpResponse:
    unit = get_object_or_404(ledger_units_visible_to(request.user), pk=unit_pk)
    ledger = QuarterlyLedger.objects.filter(unit=unit).of(quarter).select_related("submitted_by").first()
    figures = (
        ledger.figures
        if ledger
        else ledger_figures(unit.jurisdiction, quarter, units=Unit.objects.filter(pk=unit.pk))
        .units[unit.pk]
        .as_dict()
    )
    form = LedgerForm(request.POST or None) if can_submit_ledger(request.user, unit, ledger) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                submit_ledger(
                    unit=unit, quarter=quarter, annotation=form.cleaned_data["annotation"], by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Ledger submitted to the reform office."))
                return redirect(
                    "oversight:ledger_detail", unit_pk=unit.pk, year=quarter.year, quarter=quarter.number
                )
    titles = column_titles()
    return render(
        request,
        "oversight/ledger_detail.html",
        {
            "unit": unit,
            "quarter": quarter,
            "ledger": ledger,
            "form": form,
            "figures": [(titles[k], figures.get(k)) for k, _w in SUMMARY_COLUMNS if k in figures],
            "due_on": ledger_due_on(unit.jurisdiction, quarter),
            "promise_rows": promise_rows(
                promise_counts(
                    clocks_in_scope(unit_ids=[unit.pk], start_on=quarter.first_day, end_on=quarter.last_day),
                    timezone.localdate(),
                )
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@supervisors_only
@quarter_from_query
def ledger_export(request: AuthenticatedRequest, quarter: Quarter) -> FileResponse:
    jurisdiction = get_object_or_404(supervised_jurisdictions(request.user), code=request.GET.get("j", ""))
    workbook = ledger_workbook(jurisdiction, quarter)
    record(
        actor=request.user,
        verb=AuditVerb.DATA_EXPORTED,
        target=jurisdiction,
        label=f"ledger {jurisdiction.code} {quarter}",
    )
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=f"台账-{jurisdiction.code}-{quarter}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
