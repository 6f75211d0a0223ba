from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.cases.models import ServiceRequest
from daiban.cases.views.lists import export_rows
from daiban.common.access import public, signed_in
from daiban.common.forms import add_service_errors, posted_step, report_outcome
from daiban.common.listing import controls, exporting
from daiban.common.privacy import reveal
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Role
from daiban.organizations.selectors import jurisdictions_where
from daiban.projects.permissions import applicant_only
from daiban.projects.selectors import represented_applicants

from .forms import CallbackForm, ComplaintForm, EvaluationForm, NoteForm, OwnerForm
from .listings import evaluation_columns, evaluation_listing, narrowed_for
from .models import Evaluation, Rectification
from .permissions import hall_managers_only, supervisors_only
from .selectors import (
    callback_queue,
    callbacks_visible_to,
    comment_visible,
    evaluations_visible_to,
    owner_candidates,
    rectifications_visible_to,
)
from .services import (
    LinkRefused,
    close_rectification,
    evaluate,
    file_complaint,
    item_for_link,
    rate_item_by_link,
    reassign_rectification,
    record_callback,
    release_evaluation,
    report_rectification,
    request_agents,
    send_back_rectification,
)
from .workflows import RECTIFICATION

PAGE_SIZE = 30


def _own_request(request: AuthenticatedRequest, pk: int) -> ServiceRequest:
    """A request of the signed-in applicant's own enterprises; anything else is not found."""
    return get_object_or_404(
        ServiceRequest.objects.filter(applicant__in=represented_applicants(request.user)).select_related(
            "project", "jurisdiction", "applicant"
        ),
        pk=pk,
    )


@applicant_only
def evaluate_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """事后评价: one form per agent not yet rated; each is saved on its own and never edited."""
    service_request = _own_request(request, pk)
    agents = request_agents(service_request)
    given = {e.agent_id: e for e in Evaluation.objects.filter(request=service_request)}
    bound_agent = request.POST.get("agent") if request.method == "POST" else None
    forms = []
    for agent in agents:
        if agent.pk in given:
            continue
        is_bound = bound_agent == str(agent.pk)
        form = EvaluationForm(request.POST if is_bound else None, prefix=f"a{agent.pk}")
        if is_bound and form.is_valid():
            try:
                evaluate(request=service_request, agent=agent, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Thank you: your evaluation of %(agent)s is recorded.") % {"agent": agent.display_name},
                )
                return redirect("feedback:evaluate", pk=pk)
        forms.append((agent, form))
    if request.method == "POST" and bound_agent and not any(str(a.pk) == bound_agent for a, _f in forms):
        messages.error(
            request, _("You have already rated this agent for this request; an evaluation cannot be changed.")
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/evaluate.html",
        {
            "req": service_request,
            "forms": forms,
            "given": [(a, given[a.pk]) for a in agents if a.pk in given],
            "completed": service_request.state == ServiceRequest.State.COMPLETED,
        },
        status=status,
    )


@applicant_only
def complain(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = _own_request(request, pk)
    form = ComplaintForm(request.POST or None, agents=request_agents(service_request))
    if request.method == "POST" and form.is_valid():
        try:
            file_complaint(
                request=service_request,
                text=form.cleaned_data["text"],
                agent=form.cleaned_data["agent"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your complaint is recorded; the reform office follows it up."))
            return redirect("cases:request_detail", pk=pk)
    return render(
        request,
        "feedback/complain.html",
        {"req": service_request, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@signed_in
def evaluation_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """Every evaluation the person may see, searched, filtered, sorted — or exported as shown (a withheld
    rating masked for the agent it rates, as on the page)."""
    listing = evaluation_listing()
    evaluations = evaluations_visible_to(request.user).select_related(
        "request__project", "agent", "given_by", "jurisdiction"
    )
    evaluations, state = listing.apply(evaluations, request.GET)
    evaluations = narrowed_for(request.user, evaluations, state)
    if exporting(request.GET):
        return export_rows(request, _("Evaluations"), evaluation_columns(request.user), evaluations)
    page = Paginator(evaluations, PAGE_SIZE).get_page(request.GET.get("page"))
    supervised = jurisdictions_where(request.user, Role.SUPERVISOR)
    rows = [
        (e, comment_visible(request.user, e), e.hidden_from_agent and e.jurisdiction_id in supervised)
        for e in page
    ]
    return render(
        request,
        "feedback/evaluation_list.html",
        {
            "page": page,
            "rows": rows,
            **controls(
                listing,
                state,
                placeholder=_("project, credit code, agent"),
                period_label=_("Given from"),
            ),
        },
    )


@supervisors_only
@require_POST
def evaluation_release(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=pk)
    user = request.user
    report_outcome(
        request,
        lambda: release_evaluation(evaluation=evaluation, by=user),
        _("The agent can now read this evaluation."),
    )
    return redirect("feedback:evaluation_list")


@hall_managers_only
def callback_list(request: AuthenticatedRequest) -> HttpResponse:
    """回访 queue: completed requests not yet reached (and, where the jurisdiction asks for 全过程回访,
    those in handling), then the calls made."""
    page = Paginator(callback_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    recent = callbacks_visible_to(request.user).select_related("request__project", "called_by")[:20]
    return render(request, "feedback/callback_list.html", {"page": page, "recent": recent})


@hall_managers_only
def callback_contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The number the hall manager calls back, shown in full on request (the read is recorded)."""
    applicant = get_object_or_404(callback_queue(request.user).select_related("applicant"), pk=pk).applicant
    return reveal(request, target=applicant, field="contact_mobile", value=applicant.contact_mobile)


@hall_managers_only
def callback_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(callback_queue(request.user), pk=pk)
    agents = request_agents(service_request)
    form = CallbackForm(request.POST or None, agents=agents, initial={"called_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            record_callback(
                request=service_request,
                data=form.callback_data(),
                ratings=form.ratings(),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Call-back recorded."))
            return redirect("feedback:callback_list")
    return render(
        request,
        "feedback/callback_form.html",
        {"req": service_request, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@signed_in
def rectification_list(request: AuthenticatedRequest) -> HttpResponse:
    rectifications = rectifications_visible_to(request.user).select_related(
        "request__project", "owner", "agent"
    )
    status = request.GET.get("status", "")
    if status in Rectification.Status.values:
        rectifications = rectifications.filter(status=status)
    page = Paginator(rectifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/rectification_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Rectification.Status.choices,
            "today": timezone.localdate(),
        },
    )


def _visible_rectification(request: AuthenticatedRequest, pk: int) -> Rectification:
    return get_object_or_404(
        rectifications_visible_to(request.user).select_related(
            "request__project", "jurisdiction", "owner", "agent", "evaluation", "callback", "closed_by"
        ),
        pk=pk,
    )


@signed_in
def rectification_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rectification = _visible_rectification(request, pk)
    user = request.user
    is_agent = rectification.agent_id == user.pk
    actions = [(m.action, m.label) for m in RECTIFICATION.allowed_actions(rectification, by=user)]
    owner_form = None
    if _supervises(request, rectification) and rectification.status != Rectification.Status.CLOSED:
        owner_form = OwnerForm(
            people=owner_candidates(rectification), initial={"owner": rectification.owner_id}
        )
    return render(
        request,
        "feedback/rectification_detail.html",
        {
            "r": rectification,
            "actions": actions,
            "note_form": NoteForm(),
            "owner_form": owner_form,
            "notes": rectification.notes.select_related("by"),
            "show_problem": not is_agent
            or (rectification.evaluation is None or not rectification.evaluation.hidden_from_agent),
            "today": timezone.localdate(),
        },
    )


def _supervises(request: AuthenticatedRequest, rectification: Rectification) -> bool:
    return rectification.jurisdiction_id in jurisdictions_where(request.user, Role.SUPERVISOR)


STEP_SERVICES: dict[str, Callable[..., Rectification]] = {
    "report": report_rectification,
    "send_back": send_back_rectification,
    "close": close_rectification,
}


@signed_in
@require_POST
def rectification_step(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    rectification = _visible_rectification(request, pk)
    if action not in STEP_SERVICES:
        messages.error(request, _("Unknown step."))
        return redirect("feedback:rectification_detail", pk=pk)
    posted_step(
        request,
        NoteForm(request.POST),
        lambda d: STEP_SERVICES[action](
            rectification=rectification,
            note=d["note"],
            by=request.user,
        ),
        _("Saved."),
    )
    return redirect("feedback:rectification_detail", pk=pk)


@supervisors_only
@require_POST
def rectification_owner(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rectification = _visible_rectification(request, pk)
    posted_step(
        request,
        OwnerForm(request.POST, people=owner_candidates(rectification)),
        lambda d: reassign_rectification(
            rectification=rectification,
            owner=d["owner"],
            by=request.user,
        ),
        _("Owner changed."),
    )
    return redirect("feedback:rectification_detail", pk=pk)


@public
def rate_item(request: HttpRequest, token: str) -> HttpResponse:
    """一事一评: the page behind the texted link. No sign-in: the signed token is the permission, for one
    item, once. Shows only what the applicant already knows (project, item, the agent's name)."""
    try:
        item = item_for_link(token)
    except LinkRefused as exc:
        return render(
            request, "feedback/rate_item_refused.html", {"reason": str(exc)}, status=410 if exc.gone else 400
        )
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate_item_by_link(token=token, **form.cleaned_data)
        except LinkRefused as exc:
            return render(
                request,
                "feedback/rate_item_refused.html",
                {"reason": str(exc)},
                status=410 if exc.gone else 400,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "feedback/rate_item_done.html", {"item": item})
    return render(
        request,
        "feedback/rate_item.html",
        {"item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )
