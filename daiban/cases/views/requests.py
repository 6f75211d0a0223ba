from collections.abc import Callable
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.catalogue.models import ApprovalItem, ProjectTemplate
from daiban.catalogue.selectors import with_details
from daiban.common.access import signed_in
from daiban.common.audit import AuditVerb, record
from daiban.common.forms import add_service_errors, posted_step, report_outcome
from daiban.common.listing import controls, exporting
from daiban.common.params import BadParameter, query_id
from daiban.common.privacy import reveal
from daiban.common.stages import Stage
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Role, Window
from daiban.organizations.selectors import active_roles, jurisdictions_where, staff_jurisdiction_ids
from daiban.projects.permissions import applicant_only
from daiban.projects.selectors import projects_visible_to, represented_applicants, represents

from ..deadlines import item_clocks
from ..forms import (
    AssignForm,
    BulkAssignForm,
    DeclineForm,
    ItemDeclineForm,
    OnlineRequestForm,
    PlainStepForm,
    VisitForm,
    WindowRequestForm,
    WithdrawForm,
)
from ..listings import ITEM_COLUMNS, item_listing
from ..models import HANDLING_STATES, CaseItem, RequestDocument, ServiceRequest, TimelineEntry, Visit
from ..permissions import agents_only, can_assign, clerks_only, coordinators_only
from ..selectors import (
    access_request,
    agent_units_for,
    count_items,
    dispatch_queue,
    eligible_agents,
    no_agents_reason,
    request_progress,
    unstaffed_for,
    worklist,
)
from ..services import (
    accept_item,
    accept_request,
    assign_agent,
    assign_agent_to_items,
    decline_item,
    decline_request,
    register_window_request,
    submit_request,
    withdraw_request,
)
from ..workflows import ACCEPTANCE, REQUEST
from .lists import export_rows

PAGE_SIZE = 25


def _catalogue(items: QuerySet[ApprovalItem]) -> list[tuple[Any, list[ApprovalItem]]]:
    """Items by stage, with their guides (materials, fees) for the choice list."""
    labels = dict(Stage.choices)
    ordered = with_details(items.order_by("jurisdiction__code", "position"))
    return [(labels[stage], list(group)) for stage, group in groupby(ordered, key=lambda i: i.stage)]


def _selected(form: Any) -> set[str]:
    return {str(v) for v in (form["approval_items"].value() or [])}


def _project_types(
    request: AuthenticatedRequest, items: QuerySet[ApprovalItem]
) -> tuple[list[ProjectTemplate], ProjectTemplate | None]:
    """The project types of the catalogues on offer, and the one `?template=` chose: its items are
    preselected on a fresh form (the applicant still adds or removes items)."""
    templates = list(
        ProjectTemplate.objects.filter(version__items__in=items)
        .distinct()
        .prefetch_related("items")
        .order_by("version__jurisdiction__code", "position")
    )
    wanted = query_id(request.GET, "template")
    chosen = next((t for t in templates if t.pk == wanted), None)
    if wanted is not None and chosen is None:
        raise BadParameter(_("There is no such project type."))
    return templates, chosen


def _form_context(
    request: AuthenticatedRequest, form: Any, items: QuerySet[ApprovalItem], *, window: bool
) -> dict[str, Any]:
    templates, chosen = _project_types(request, items)
    selected = _selected(form)
    if chosen is not None and not form.is_bound:
        selected = {str(i.pk) for i in chosen.items.all()}
    return {
        "form": form,
        "stages": _catalogue(items),
        "selected": selected,
        "window": window,
        "templates": templates,
        "chosen_template": chosen,
    }


@applicant_only
def request_create(request: AuthenticatedRequest) -> HttpResponse:
    """网上申请: the applicant chooses a project, assist or proxy, and the items."""
    applicants = represented_applicants(request.user)
    projects = projects_visible_to(request.user).filter(applicant__in=applicants)
    items = ApprovalItem.objects.filter(
        jurisdiction__in=applicants.values("jurisdiction"), is_active=True
    ).select_related("department", "result_document")
    form = OnlineRequestForm(request.POST or None, request.FILES or None, projects=projects, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            created = submit_request(
                project=form.cleaned_data["project"],
                data=form.request_data(),
                by=request.user,
                channel=ServiceRequest.Channel.ONLINE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Request %(ref)s submitted.") % {"ref": created.reference})
            return redirect("cases:request_detail", pk=created.pk)
    if not projects.exists():
        messages.info(request, _("Register your project first."))
        return redirect("projects:project_create")
    return render(request, "cases/request_form.html", _form_context(request, form, items, window=False))


@clerks_only
def window_request_create(request: AuthenticatedRequest) -> HttpResponse:
    """窗口申请: a clerk registers a walk-in enterprise, its project and its request."""
    centres = {a.unit_id for a in active_roles(request.user) if a.role == Role.CLERK}
    windows = Window.objects.filter(service_centre_id__in=centres).select_related("service_centre")
    items = ApprovalItem.objects.filter(
        jurisdiction__in=windows.values("service_centre__jurisdiction"), is_active=True
    ).select_related("department", "result_document")
    form = WindowRequestForm(request.POST or None, request.FILES or None, windows=windows, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            created = register_window_request(
                window=form.cleaned_data["window"],
                applicant_data=form.applicant_data(),
                project_data=form.project_data(),
                data=form.request_data(),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request %(ref)s registered. Print the receipt for the enterprise.")
                % {"ref": created.reference},
            )
            return redirect("cases:request_detail", pk=created.pk)
    return render(request, "cases/request_form.html", _form_context(request, form, items, window=True))


@signed_in
def window_receipt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """受理回执: the printable receipt the window clerk hands the walk-in enterprise (a window registration
    only; the print stylesheet leaves out the site's menus)."""
    service_request = access_request(
        request.user,
        pk,
        related=(
            "project",
            "applicant",
            "jurisdiction",
            "locality",
            "window__service_centre",
            "submitted_by",
        ),
        prefetch=(
            Prefetch("items", queryset=CaseItem.objects.select_related("approval_item", "responsible_unit")),
        ),
    )
    if service_request.channel != ServiceRequest.Channel.WINDOW:
        raise Http404
    return render(
        request, "cases/window_receipt.html", {"req": service_request, "printed_at": timezone.now()}
    )


@signed_in
def request_contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The enterprise contact's full mobile number, for someone who may see the request (the read is
    recorded)."""
    applicant = access_request(request.user, pk).applicant
    return reveal(request, target=applicant, field="contact_mobile", value=applicant.contact_mobile)


@signed_in
def request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = access_request(
        request.user,
        pk,
        related=("project", "applicant", "jurisdiction", "locality", "window", "submitted_by"),
        prefetch=(
            Prefetch(
                "items",
                queryset=CaseItem.objects.select_related(
                    "approval_item", "responsible_unit", "agent", "refusal_notice"
                ).order_by("position", "id"),
            ),
            "documents",
            Prefetch("visits", queryset=Visit.objects.select_related("agent").prefetch_related("documents")),
            Prefetch("timeline", queryset=TimelineEntry.objects.select_related("by").order_by("at", "id")),
        ),
    )
    items = list(service_request.items.all())
    for item in items:
        item.request = service_request  # already loaded: the clock reads its jurisdiction
    clocks = item_clocks(items, timezone.localdate())
    assignable = service_request.state in HANDLING_STATES
    rows = []
    agents_by_units: dict[frozenset[int], Any] = {}
    decidable = {i.pk for i in items if ACCEPTANCE.refusal(i, "accept", by=request.user) is None}
    for item in items:
        item.may_decide = item.pk in decidable  # type: ignore[attr-defined]
        item.decline_form = (  # type: ignore[attr-defined]
            ItemDeclineForm(prefix=f"decline{item.pk}", initial={"version": item.version})
            if item.may_decide  # type: ignore[attr-defined]
            else None
        )
        form = None
        no_agents = ""
        if (
            assignable
            and item.acceptance == CaseItem.Acceptance.ACCEPTED
            and can_assign(request.user, item, service_request)
        ):
            units = frozenset(agent_units_for(item, service_request))
            if units not in agents_by_units:
                agents_by_units[units] = list(eligible_agents(set(units)))
            agents = agents_by_units[units]
            if agents:
                initial = {"agent": item.agent_id, "current": item.agent_id or 0}
                form = AssignForm(agents=agents, prefix=f"item{item.pk}", initial=initial)
            else:  # a select without a choice would post nothing: say why instead
                no_agents = no_agents_reason(item, service_request)
        rows.append((item, form, clocks[item.pk], no_agents))
    bulk_form = _bulk_form(None, [item for item, form, _c, _n in rows if form], agents_by_units)
    is_representative = represents(request.user, service_request.applicant_id)
    allowed, blocked = REQUEST.steps(service_request, by=request.user)
    waiting = next((reason for m, reason in blocked if m.action == "complete"), "")
    return render(
        request,
        "cases/request_detail.html",
        {
            "req": service_request,
            "rows": rows,
            "can_decide": len(decidable) > 1,  # the shortcut: every item awaiting the person's unit
            "can_withdraw": any(m.action == "withdraw" for m in allowed),
            # a walk-in enterprise's online account is opened from its window registration
            "opens_accounts": service_request.window_id is not None
            and service_request.jurisdiction_id
            in jurisdictions_where(request.user, Role.CLERK, Role.ADMINISTRATOR),
            "withdraw_form": WithdrawForm(),
            "handed_over": [
                d for d in service_request.documents.all() if d.kind in RequestDocument.HANDED_OVER_KINDS
            ],
            "progress": request_progress(service_request, items, waiting_for=waiting),
            "blocked": [(m.label, reason) for m, reason in blocked]
            + [  # each item's acceptance is its own unit's step (ADR 0022): say whose, per item
                (f"{m.label}：{item.approval_item.name}", reason)
                for item in items
                if item.acceptance == CaseItem.Acceptance.PENDING
                for m, reason in ACCEPTANCE.blocked_actions(item, by=request.user)
            ],
            "is_representative": is_representative,
            "can_evaluate": is_representative and service_request.state == ServiceRequest.State.COMPLETED,
            "decline_form": DeclineForm(),
            "bulk_form": bulk_form,
            "visit_form": VisitForm(
                initial={"visited_on": timezone.localdate()}, request_items=service_request.items.all()
            )
            if any(i.agent_id == request.user.pk for i in items) and service_request.state in HANDLING_STATES
            else None,
        },
    )


def _act(request: AuthenticatedRequest, pk: int, action: Callable[[], object], done: str) -> HttpResponse:
    """Run one service call for a POSTed action and report it back on the request page."""
    report_outcome(request, action, done)
    return redirect("cases:request_detail", pk=pk)


@coordinators_only
@require_POST
def request_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = access_request(request.user, pk)
    user = request.user
    return _act(
        request,
        pk,
        lambda: accept_request(request=service_request, by=user),
        _("Request accepted. Now assign an agent to each item."),
    )


@coordinators_only
@require_POST
def request_decline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = access_request(request.user, pk)
    posted_step(
        request,
        DeclineForm(request.POST),
        lambda d: decline_request(
            request=service_request,
            reason=d["reason"],
            by=request.user,
        ),
        _("Request declined; the applicant sees the reason."),
    )
    return redirect("cases:request_detail", pk=pk)


@coordinators_only
@require_POST
def item_accept(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    """受理 one item: only a coordinator of its responsible unit (the service refuses anyone else)."""
    item = get_object_or_404(access_request(request.user, pk).items, pk=item_pk)
    posted_step(
        request,
        PlainStepForm(request.POST),
        lambda d: accept_item(item=item, by=request.user, expected_version=d["version"]),
        _("%(item)s accepted.") % {"item": item.approval_item.name},
    )
    return redirect("cases:request_detail", pk=pk)


@coordinators_only
@require_POST
def item_decline(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    """不予受理 one item, with the reason the applicant reads."""
    item = get_object_or_404(access_request(request.user, pk).items, pk=item_pk)
    posted_step(
        request,
        ItemDeclineForm(request.POST, prefix=f"decline{item.pk}"),
        lambda d: decline_item(item=item, reason=d["reason"], by=request.user, expected_version=d["version"]),
        _("%(item)s declined; the applicant sees the reason.") % {"item": item.approval_item.name},
    )
    return redirect("cases:request_detail", pk=pk)


@applicant_only
@require_POST
def request_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service_request = access_request(request.user, pk)
    posted_step(
        request,
        WithdrawForm(request.POST),
        lambda d: withdraw_request(request=service_request, by=request.user, reason=d["reason"]),
        _("Request withdrawn."),
    )
    return redirect("cases:request_detail", pk=pk)


@coordinators_only
@require_POST
def item_assign(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    service_request = access_request(request.user, pk)
    item = get_object_or_404(service_request.items.select_related("request__locality"), pk=item_pk)
    agents = eligible_agents(agent_units_for(item, service_request))
    form = AssignForm(request.POST, agents=agents, prefix=f"item{item.pk}")
    agent = form.cleaned_data["agent"] if form.is_valid() else None
    posted_step(
        request,
        form,
        lambda d: assign_agent(
            item=item,
            agent=d["agent"],
            by=request.user,
            reason=d["reason"],
            expected_agent_id=d["current"],
        ),
        _("%(agent)s now handles %(item)s.")
        % {"agent": agent.display_name if agent else "", "item": item.approval_item.name},
    )
    return redirect("cases:request_detail", pk=pk)


UNSTAFFED_SHOWN = 100  # a longer list means an administrator's job, not a coordinator's


def _bulk_form(
    data: Any, items: list[CaseItem], agents_by_units: dict[frozenset[int], Any]
) -> BulkAssignForm | None:
    """One agent for several items: offered when the coordinator may assign two or more of them; the agents
    are those eligible for any of them (the service checks each item)."""
    if len(items) < 2:
        return None
    agents = {a.pk: a for group in agents_by_units.values() for a in group}
    initial = {"items": [i.pk for i in items if i.agent_id is None]}
    return BulkAssignForm(data, items=items, agents=list(agents.values()), initial=initial, prefix="bulk")


@coordinators_only
@require_POST
def items_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """分发, several items at once, all or nothing (`assign_agent_to_items`)."""
    service_request = access_request(request.user, pk, related=("locality",))
    items = [
        item
        for item in service_request.items.select_related("approval_item", "request__locality")
        if can_assign(request.user, item, service_request)
    ]
    agents_by_units: dict[frozenset[int], Any] = {}
    for item in items:
        units = frozenset(agent_units_for(item, service_request))
        if units not in agents_by_units:
            agents_by_units[units] = list(eligible_agents(set(units)))
    form = _bulk_form(request.POST, items, agents_by_units)
    if form is None:
        messages.error(request, _("There are not several items of yours to assign here."))
        return redirect("cases:request_detail", pk=pk)
    agent = form.cleaned_data["agent"] if form.is_valid() else None
    posted_step(
        request,
        form,
        lambda d: assign_agent_to_items(
            items=list(d["items"]), agent=d["agent"], by=request.user, reason=d["reason"]
        ),
        _("%(agent)s now handles the chosen items.") % {"agent": agent.display_name if agent else ""},
    )
    return redirect("cases:request_detail", pk=pk)


@coordinators_only
def dispatch(request: AuthenticatedRequest) -> HttpResponse:
    """受理、分发: what this coordinator's units must accept or staff."""
    page = Paginator(dispatch_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = count_items(page.object_list)
    unstaffed = list(unstaffed_for(request.user)[:UNSTAFFED_SHOWN])
    return render(request, "cases/dispatch.html", {"page": page, "unstaffed": unstaffed})


@agents_only
def agent_worklist(request: AuthenticatedRequest) -> HttpResponseBase:
    """My worklist: the agent's open items, with the item list's search, filters and sorting."""
    today = timezone.localdate()
    listing = item_listing(request.user, today, staff_jurisdiction_ids(request.user))
    items, state = listing.apply(worklist(request.user), request.GET)
    if exporting(request.GET):
        return export_rows(request, _("My worklist"), ITEM_COLUMNS, items)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    clocks = item_clocks(page.object_list, today)
    rows = [(i, clocks[i.pk]) for i in page]
    return render(request, "cases/worklist.html", {"page": page, "rows": rows, **controls(listing, state)})


@signed_in
def document_download(request: AuthenticatedRequest, pk: int, doc_pk: int) -> FileResponse:
    """Files go only to people who may see the request."""
    service_request = access_request(request.user, pk)
    document = get_object_or_404(service_request.documents, pk=doc_pk)
    record(actor=request.user, verb=AuditVerb.DOCUMENT_DOWNLOADED, target=document)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
