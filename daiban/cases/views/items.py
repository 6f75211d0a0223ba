"""Pages for one item of a request: its clock, checklist, clock stops, history and the next steps the
signed-in person may record."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.common.access import signed_in
from daiban.common.forms import form_error_text, posted_step, report_outcome
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Unit

from .. import services as steps
from ..deadlines import item_clocks
from ..forms import (
    ApproveForm,
    ChaseForm,
    ChecklistLineForm,
    CorrectionForm,
    DeliveryForm,
    EndProcedureForm,
    FileForm,
    OnDateForm,
    PlainStepForm,
    RefusalNoticeForm,
    RefuseForm,
    SpecialProcedureForm,
    VisitForm,
)
from ..models import CHECKLIST_OPEN_STATES, HANDLING_STATES, CaseItem, ItemMaterial, RequestDocument
from ..panels import item_panels
from ..permissions import agents_only, is_agent_of, is_reviewer_of
from ..receipts import delivery_receipt_pdf
from ..selectors import access_item, access_request, chases_visible_to, item_history, refusal_reason
from ..workflows import ITEM

Runner = Callable[[CaseItem, dict[str, Any], Any, int], object]

# action → (form, how the cleaned form becomes the service call)
STEPS: dict[str, tuple[type[forms.Form], Runner]] = {
    "start_collecting": (
        PlainStepForm,
        lambda i, d, u, v: steps.start_collecting(item=i, by=u, expected_version=v),
    ),
    "mark_ready": (PlainStepForm, lambda i, d, u, v: steps.mark_ready(item=i, by=u, expected_version=v)),
    "file": (
        FileForm,
        lambda i, d, u, v: steps.file_item(
            item=i, external_ref=d["external_ref"], filed_on=d["filed_on"], by=u, expected_version=v
        ),
    ),
    "start_review": (PlainStepForm, lambda i, d, u, v: steps.start_review(item=i, by=u, expected_version=v)),
    "request_correction": (
        CorrectionForm,
        lambda i, d, u, v: steps.request_correction(
            item=i, on=d["on"], note=d["note"], by=u, expected_version=v
        ),
    ),
    "resubmit": (OnDateForm, lambda i, d, u, v: steps.resubmit(item=i, on=d["on"], by=u, expected_version=v)),
    "approve": (
        ApproveForm,
        lambda i, d, u, v: steps.approve(
            item=i,
            decided_on=d["decided_on"],
            result_number=d["result_number"],
            project_code=d["project_code"],
            by=u,
            expected_version=v,
        ),
    ),
    "refuse": (
        RefuseForm,
        lambda i, d, u, v: steps.refuse(
            item=i, decided_on=d["decided_on"], reason=d["reason"], by=u, expected_version=v
        ),
    ),
    "pick_up": (OnDateForm, lambda i, d, u, v: steps.pick_up(item=i, on=d["on"], by=u, expected_version=v)),
    "deliver": (
        DeliveryForm,
        lambda i, d, u, v: steps.deliver(
            item=i,
            method=d["method"],
            delivered_on=d["delivered_on"],
            receiver=d["receiver"],
            carrier=d["carrier"],
            tracking_number=d["tracking_number"],
            signature=d.get("signature"),
            by=u,
            expected_version=v,
        ),
    ),
}


def _step_form(action: str, item: CaseItem, initial: dict[str, Any]) -> forms.Form:
    """The step's form; the approval asks for the issued project code only where it is recorded."""
    form = STEPS[action][0](initial=initial)
    if action == "approve" and not steps.issues_project_code(item):
        del form.fields["project_code"]
    return form


# Decisions the reviewer confirms before they are sent: each says what it does (the page asks in site.js).
CONFIRM = {
    "approve": _("Approve this item? The applicant is told and the result goes to pick-up."),
    "refuse": _(
        "Refuse this item (不予许可)? The request may complete with this refusal; it cannot be undone."
    ),
}


def _back(item: CaseItem) -> HttpResponse:
    return redirect("cases:item_detail", pk=item.request_id, item_pk=item.pk)


@signed_in
def item_detail(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    item = access_item(request.user, pk, item_pk)
    today = timezone.localdate()
    clock = item_clocks([item], today)[item.pk]
    initial = {
        "version": item.version,
        "on": today,
        "filed_on": today,
        "decided_on": today,
        "delivered_on": today,
    }
    allowed, blocked = ITEM.steps(item, by=request.user)
    actions = [
        (m.action, m.label, _step_form(m.action, item, initial), CONFIRM.get(m.action, "")) for m in allowed
    ]
    is_agent = is_agent_of(request.user, item)
    checklist_open = is_agent and item.state in CHECKLIST_OPEN_STATES
    promised_open = is_agent and not checklist_open and item.request.state in HANDLING_STATES
    reviewer = is_reviewer_of(request.user, item)
    history = item_history(item)
    refused = item.state == CaseItem.State.REFUSED
    refusal_notice_form = (
        RefusalNoticeForm(initial={"delivered_on": today})
        if refused and steps.refusal_notice_refusal(item, request.user) is None
        else None
    )
    chases = chases_visible_to(request.user, item)
    chase_form = None
    if is_agent:
        chase_form = ChaseForm(
            initial={"chased_on": today, "department": item.approval_item.department_id, "shared": True},
            departments=Unit.objects.filter(
                jurisdiction_id=item.request.jurisdiction_id, kind=Unit.Kind.DEPARTMENT
            ),
        )
    return render(
        request,
        "cases/item_detail.html",
        {
            "item": item,
            "req": item.request,
            "clock": clock,
            "actions": actions,
            "checklist_open": checklist_open,
            "promised_open": promised_open,
            "blocked": [(m.label, reason) for m, reason in blocked],
            "line_form": ChecklistLineForm(),
            "reviewer": reviewer,
            "procedure_form": SpecialProcedureForm(initial={"start_on": today}),
            "end_form": EndProcedureForm(initial={"end_on": today}),
            "history": history,
            "delivery": getattr(item, "delivery", None) if item.state == CaseItem.State.DELIVERED else None,
            "chases": chases,
            "chase_form": chase_form,
            "delivery_proofs": (
                item.documents.filter(kind__in=RequestDocument.DELIVERY_PROOF_KINDS).order_by("id")
                if item.state in (CaseItem.State.DELIVERED, CaseItem.State.REFUSED)
                else ()
            ),
            # What higher apps show on this page (daiban.api: the events not applied), cases.panels.
            "panels": item_panels(request.user, item),
            "refusal_reason": refusal_reason(item) if refused else "",
            "refusal_notice": getattr(item, "refusal_notice", None) if refused else None,
            "refusal_notice_form": refusal_notice_form,
        },
    )


@signed_in
@require_POST
def item_step(request: AuthenticatedRequest, pk: int, item_pk: int, action: str) -> HttpResponse:
    if action not in STEPS:
        raise Http404
    item = access_item(request.user, pk, item_pk)
    form_class, run = STEPS[action]
    posted_step(
        request,
        form_class(request.POST, request.FILES),
        lambda d: run(item, d, request.user, d["version"]),
        _("Recorded: %(step)s") % {"step": ITEM.move(action).label},
    )
    return _back(item)


@signed_in
@require_POST
def checklist_update(request: AuthenticatedRequest, pk: int, item_pk: int, line_pk: int) -> HttpResponse:
    item = access_item(request.user, pk, item_pk)
    line = get_object_or_404(item.checklist.select_related("material", "case_item"), pk=line_pk)
    posted_step(
        request,
        ChecklistLineForm(request.POST),
        lambda d: steps.update_checklist_line(
            line=line,
            status=d["status"],
            promised_on=d["promised_on"],
            note=d["note"],
            by=request.user,
        ),
        _("Checklist updated."),
    )
    return _back(item)


@signed_in
@require_POST
def checklist_save(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    """The whole checklist in one form (or 全部收齐: every line received), saved all or nothing."""
    item = access_item(request.user, pk, item_pk)
    lines = list(item.checklist.all())
    if "all_received" in request.POST:
        changes = [
            steps.LineChange(line=line, status=ItemMaterial.Status.RECEIVED, promised_on=None, note=line.note)
            for line in lines
        ]
    else:
        forms_by_line = [(line, ChecklistLineForm(request.POST, prefix=f"line{line.pk}")) for line in lines]
        invalid = [(line, form) for line, form in forms_by_line if not form.is_valid()]
        if invalid:
            line, form = invalid[0]
            messages.error(request, f"{line.material.name}：{form_error_text(form)}")
            return _back(item)
        changes = [
            steps.LineChange(
                line=line,
                status=form.cleaned_data["status"],
                promised_on=form.cleaned_data["promised_on"],
                note=form.cleaned_data["note"],
            )
            for line, form in forms_by_line
        ]
    user = request.user
    report_outcome(
        request, lambda: steps.update_checklist(item=item, changes=changes, by=user), _("Checklist saved.")
    )
    return _back(item)


@signed_in
@require_POST
def procedure_start(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    item = access_item(request.user, pk, item_pk)
    posted_step(
        request,
        SpecialProcedureForm(request.POST),
        lambda d: steps.start_special_procedure(
            item=item,
            kind=d["kind"],
            start_on=d["start_on"],
            note=d["note"],
            by=request.user,
        ),
        _("Special procedure recorded: the clock is stopped."),
    )
    return _back(item)


@signed_in
@require_POST
def procedure_end(request: AuthenticatedRequest, pk: int, item_pk: int, stop_pk: int) -> HttpResponse:
    item = access_item(request.user, pk, item_pk)
    stop = get_object_or_404(item.stops.all(), pk=stop_pk)
    posted_step(
        request,
        EndProcedureForm(request.POST),
        lambda d: steps.end_special_procedure(
            stop=stop,
            end_on=d["end_on"],
            by=request.user,
        ),
        _("Special procedure ended: the clock runs again."),
    )
    return _back(item)


@agents_only
@require_POST
def visit_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = access_request(request.user, pk)
    form = VisitForm(request.POST, request.FILES, request_items=service_request.items.all())
    posted_step(
        request,
        form,
        lambda d: steps.record_visit(
            request=service_request,
            visited_on=d["visited_on"],
            place=d["place"],
            people_met=d["people_met"],
            note=d["note"],
            uploads=[
                steps.VisitUpload(file=f, kind=d["document_kind"], case_item=d["case_item"])
                for f in d["documents"]
            ],
            by=request.user,
        ),
        _("Visit recorded."),
    )
    return redirect("cases:request_detail", pk=pk)


@agents_only
@require_POST
def chase_create(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    item = access_item(request.user, pk, item_pk)
    departments = Unit.objects.filter(jurisdiction_id=item.request.jurisdiction_id, kind=Unit.Kind.DEPARTMENT)
    posted_step(
        request,
        ChaseForm(request.POST, departments=departments),
        lambda d: steps.record_chase(
            item=item,
            chased_on=d["chased_on"],
            department=d["department"],
            how=d["how"],
            answer=d["answer"],
            next_step=d["next_step"],
            shared=d["shared"],
            by=request.user,
        ),
        _("Chase recorded."),
    )
    return _back(item)


@signed_in
@require_POST
def refusal_notice_deliver(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    """送达不予许可决定书, recorded by the item's agent (or the 帮办 enterprise itself); anyone else who sees
    the item is refused with 403 by the service (`NotYourStep`)."""
    item = access_item(request.user, pk, item_pk)
    posted_step(
        request,
        RefusalNoticeForm(request.POST, request.FILES),
        lambda d: steps.deliver_refusal_notice(
            item=item,
            method=d["method"],
            delivered_on=d["delivered_on"],
            recipient=d["recipient"],
            receipt=d.get("receipt"),
            by=request.user,
        ),
        _("Recorded: the refusal decision was delivered."),
    )
    return _back(item)


@signed_in
def delivery_receipt(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    """送达回证 as PDF, for people who may see the request, once the result is picked up."""
    item = access_item(request.user, pk, item_pk)
    if item.state not in (CaseItem.State.PICKED_UP, CaseItem.State.DELIVERED):
        raise Http404
    response = HttpResponse(delivery_receipt_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{item.request.reference}-{item.pk}.pdf"'
    return response
