from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.cases.selectors import requests_visible_to
from daiban.cases.views.lists import export_rows
from daiban.catalogue.models import ApprovalItem
from daiban.common.access import signed_in
from daiban.common.forms import DoneForm, add_service_errors, posted_step
from daiban.common.listing import controls, exporting
from daiban.common.privacy import reveal
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Jurisdiction, Unit
from daiban.organizations.selectors import coordinator_units, jurisdictions_where
from daiban.projects.permissions import applicant_only
from daiban.projects.selectors import represented_applicants

from .forms import (
    FOLLOW_UP_ROWS,
    AnswerForm,
    AskForm,
    FollowUpForm,
    MeetingForm,
    PublishForm,
    RecordQuestionForm,
    meeting_data,
)
from .listings import CONSULTATION_COLUMNS, consultation_listing
from .models import Consultation, CoordinationMeeting, FollowUp
from .permissions import question_takers_only
from .selectors import consultations_visible_to, meeting_requests_visible_to
from .services import (
    RECORDING_ROLES,
    answer_consultation,
    ask_question,
    complete_follow_up,
    is_request_agent,
    may_answer,
    may_publish,
    publish_faq,
    record_meeting,
    record_question,
)

PAGE_SIZE = 30


def _items(jurisdiction_ids: Any) -> QuerySet[ApprovalItem]:
    return ApprovalItem.objects.filter(jurisdiction_id__in=jurisdiction_ids, is_active=True).order_by(
        "jurisdiction__code", "position"
    )


@signed_in
def consultation_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """The questions the person may see, searched, filtered, sorted — or exported as filtered."""
    listing = consultation_listing()
    consultations = consultations_visible_to(request.user).select_related("applicant", "answered_by")
    consultations, state = listing.apply(consultations, request.GET)
    if exporting(request.GET):
        return export_rows(request, _("Consultations"), CONSULTATION_COLUMNS, consultations)
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/consultation_list.html",
        {
            "page": page,
            "can_ask": represented_applicants(request.user).exists(),
            "can_record": bool(jurisdictions_where(request.user, *RECORDING_ROLES)),
            **controls(
                listing,
                state,
                placeholder=_("question, answer, enterprise, credit code, item"),
                period_label=_("Asked from"),
            ),
        },
    )


@applicant_only
def consultation_create(request: AuthenticatedRequest) -> HttpResponse:
    applicants = represented_applicants(request.user)
    form = AskForm(
        request.POST or None, applicants=applicants, items=_items(applicants.values("jurisdiction_id"))
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultation = ask_question(
                applicant=form.cleaned_data["applicant"],
                data=form.question_data(),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your question was sent; an agent will answer it here."))
            return redirect("assistance:consultation_detail", pk=consultation.pk)
    return render(
        request,
        "assistance/consultation_form.html",
        {"form": form, "online": True},
        status=400 if request.method == "POST" else 200,
    )


@question_takers_only
def consultation_record(request: AuthenticatedRequest) -> HttpResponse:
    ids = jurisdictions_where(request.user, *RECORDING_ROLES)
    form = RecordQuestionForm(
        request.POST or None, jurisdictions=Jurisdiction.objects.filter(id__in=ids), items=_items(ids)
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            consultation = record_question(
                jurisdiction=c["jurisdiction"],
                channel=c["channel"],
                asker_name=c["asker_name"],
                asker_mobile=c["asker_mobile"],
                applicant=c["applicant"],
                data=form.question_data(),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Question recorded."))
            return redirect("assistance:consultation_detail", pk=consultation.pk)
    return render(
        request,
        "assistance/consultation_form.html",
        {"form": form, "online": False},
        status=400 if request.method == "POST" else 200,
    )


def _visible(request: AuthenticatedRequest, pk: int) -> Consultation:
    return get_object_or_404(
        consultations_visible_to(request.user)
        .select_related("jurisdiction", "applicant", "answered_by", "recorded_by", "faq_entry")
        .prefetch_related("approval_items"),
        pk=pk,
    )


def _detail(
    request: AuthenticatedRequest,
    consultation: Consultation,
    *,
    answer_form: AnswerForm | None = None,
    publish_form: PublishForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if consultation.answered_at is None and may_answer(request.user, consultation):
        answer_form = answer_form or AnswerForm()
    if consultation.answered_at and not consultation.faq_entry_id and may_publish(request.user, consultation):
        publish_form = publish_form or PublishForm(
            initial={"question": consultation.question, "answer": consultation.answer}
        )
    return render(
        request,
        "assistance/consultation_detail.html",
        {"c": consultation, "answer_form": answer_form, "publish_form": publish_form},
        status=status,
    )


@signed_in
def consultation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@signed_in
def consultation_contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The asker's full mobile number, for someone who may see the question (the read is recorded)."""
    consultation = _visible(request, pk)
    return reveal(request, target=consultation, field="asker_mobile", value=consultation.asker_mobile)


@signed_in
@require_POST
def consultation_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consultation = _visible(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer_consultation(
                consultation=consultation,
                answer=form.cleaned_data["answer"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Answer sent."))
            return redirect("assistance:consultation_detail", pk=pk)
    if not may_answer(request.user, consultation):
        return _detail(request, consultation, status=403)
    return _detail(request, consultation, answer_form=form, status=400)


@signed_in
@require_POST
def consultation_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consultation = _visible(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            publish_faq(
                consultation=consultation,
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Published in the FAQ."))
            return redirect("assistance:consultation_detail", pk=pk)
    if not may_publish(request.user, consultation):
        return _detail(request, consultation, status=403)
    return _detail(request, consultation, publish_form=form, status=400)


@signed_in
def meeting_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """协调会: the request's coordination meetings; its agents record new ones here."""
    service_request = get_object_or_404(
        meeting_requests_visible_to(request.user).select_related("project", "jurisdiction"), pk=pk
    )
    meetings = (
        CoordinationMeeting.objects.filter(request=service_request)
        .select_related("convened_by")
        .prefetch_related(
            "departments", Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner_unit"))
        )
    )
    can_record = is_request_agent(request.user, service_request)
    units = Unit.objects.filter(jurisdiction=service_request.jurisdiction, is_active=True).order_by(
        "kind", "position", "id"
    )
    form, rows, status = None, [], 200
    if can_record:
        form = MeetingForm(request.POST or None, units=units, initial={"held_on": timezone.localdate()})
        rows = [
            FollowUpForm(request.POST or None, units=units, prefix=f"f{i}") for i in range(FOLLOW_UP_ROWS)
        ]
        if request.method == "POST":
            if form.is_valid() and all(r.is_valid() for r in rows):
                try:
                    record_meeting(request=service_request, data=meeting_data(form, rows), by=request.user)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Meeting recorded."))
                    return redirect("assistance:meeting_list", pk=pk)
            status = 400
    elif request.method == "POST":
        return render(
            request,
            "assistance/meeting_list.html",
            {"req": service_request, "meetings": meetings},
            status=403,
        )
    return render(
        request,
        "assistance/meeting_list.html",
        {
            "req": service_request,
            "meetings": meetings,
            "form": form,
            "rows": rows,
            "done_form": DoneForm(initial={"done_on": timezone.localdate()}),
            "owned_units": coordinator_units(request.user),
            "sees_request": requests_visible_to(request.user).filter(pk=pk).exists(),
        },
        status=status,
    )


@signed_in
@require_POST
def follow_up_done(request: AuthenticatedRequest, pk: int, follow_up_pk: int) -> HttpResponse:
    service_request = get_object_or_404(meeting_requests_visible_to(request.user), pk=pk)
    follow_up = get_object_or_404(FollowUp.objects.filter(meeting__request=service_request), pk=follow_up_pk)
    posted_step(
        request,
        DoneForm(request.POST),
        lambda d: complete_follow_up(
            follow_up=follow_up,
            done_on=d["done_on"],
            note=d["note"],
            by=request.user,
        ),
        _("Follow-up done."),
    )
    return redirect("assistance:meeting_list", pk=pk)
