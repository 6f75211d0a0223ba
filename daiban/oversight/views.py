import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.cases.permissions import agents_only
from daiban.cases.selectors import coordinator_units, item_clocks, requests_visible_to
from daiban.common.access import permission_rule
from daiban.common.forms import DoneForm, add_service_errors, posted_step
from daiban.common.stages import Stage
from daiban.feedback.models import Level
from daiban.organizations.models import Jurisdiction, Role, Unit
from daiban.organizations.permissions import roles_rule, staff_only
from daiban.organizations.selectors import jurisdictions_where
from daiban.workdays.quarters import InvalidQuarter, Quarter

from .assessment import INDICATORS, rank_agents, rank_units, weights_for
from .dashboard import (
    Scope,
    dashboard_figures,
    open_filed,
    scope_for,
    standing_filters,
)
from .exports import SUMMARY_COLUMNS, column_titles, ledger_workbook
from .forms import (
    ActionForm,
    AssignIssueForm,
    InspectionForm,
    IssueForm,
    IssueTextForm,
    LedgerForm,
    NewIssueForm,
)
from .ledger import LEDGER_UNIT_KINDS, ledger_due_on, ledger_figures
from .models import CoordinationIssue, QuarterlyLedger
from .selectors import inspections_visible_to, issues_visible_to
from .services import (
    RAISING_ROLES,
    ActionData,
    add_issue_follow_up,
    assign_issue,
    complete_required_action,
    eligible_assignees,
    raise_issue,
    raise_issue_from_item,
    record_inspection,
    reopen_issue,
    resolve_issue,
    submit_ledger,
)

raisers_only = permission_rule(roles_rule(*RAISING_ROLES))
supervisors_only = permission_rule(roles_rule(Role.SUPERVISOR))


@agents_only
@require_POST
def raise_from_item(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(
        CaseItem.objects.filter(request__in=requests_visible_to(request.user)).select_related(
            "request__jurisdiction", "request__project", "request__locality", "approval_item"
        ),
        pk=item_pk,
    )
    posted_step(request, IssueForm(request.POST), lambda d: raise_issue_from_item(
        item=item, title=d["title"], description=d["description"], by=request.user,  # type: ignore[arg-type]
    ), _("The problem is on the reform office's issue list."))  # fmt: skip
    return redirect("cases:item_detail", pk=item.request_id, item_pk=item.pk)


@raisers_only
def issue_create(request: HttpRequest) -> HttpResponse:
    """A unit raises a problem on its own, not tied to one item."""
    ids = jurisdictions_where(request.user, *RAISING_ROLES)
    form = NewIssueForm(request.POST or None, jurisdictions=Jurisdiction.objects.filter(id__in=ids))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            issue = raise_issue(jurisdiction=c["jurisdiction"], unit=c["unit"], title=c["title"],
                                description=c["description"], by=request.user)  # type: ignore[arg-type]  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The problem is on the reform office's issue list."))
            return redirect("oversight:issue_detail", pk=issue.pk)
    return render(
        request, "oversight/issue_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@staff_only
def issue_list(request: HttpRequest) -> HttpResponse:
    issues = issues_visible_to(request.user).select_related(
        "jurisdiction",
        "unit",
        "raised_by",
        "assignee",
        "case_item__approval_item",
        "case_item__request__project",
    )
    status = request.GET.get("status", "")
    today = timezone.localdate()
    if status in CoordinationIssue.Status.values:
        issues = issues.filter(status=status)
    elif status == "overdue":
        issues = issues.filter(status=CoordinationIssue.Status.ASSIGNED, due_on__lt=today)
    page = Paginator(issues, 30).get_page(request.GET.get("page"))
    return render(request, "oversight/issue_list.html", {
        "page": page, "status": status, "statuses": CoordinationIssue.Status.choices, "today": today,
        "can_raise": bool(jurisdictions_where(request.user, *RAISING_ROLES)),
    })  # fmt: skip


def _visible(request: HttpRequest, pk: int) -> CoordinationIssue:
    return get_object_or_404(
        issues_visible_to(request.user).select_related(
            "jurisdiction", "unit", "raised_by", "assignee", "case_item__approval_item",
            "case_item__request__project", "case_item__responsible_unit",
        ),
        pk=pk,
    )  # fmt: skip


@staff_only
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible(request, pk)
    supervises = issue.jurisdiction_id in jurisdictions_where(request.user, Role.SUPERVISOR)
    is_assignee = issue.assignee_id == request.user.pk
    S = CoordinationIssue.Status
    return render(request, "oversight/issue_detail.html", {
        "issue": issue, "notes": issue.notes.select_related("by"), "today": timezone.localdate(),
        "assign_form": AssignIssueForm(agents=eligible_assignees(issue), initial={"assignee": issue.assignee_id})
        if supervises and issue.status != S.RESOLVED else None,
        "can_follow_up": (supervises or is_assignee) and issue.status == S.ASSIGNED,
        "can_resolve": (supervises or is_assignee) and issue.status == S.ASSIGNED,
        "can_reopen": supervises and issue.status == S.RESOLVED,
        "text_form": IssueTextForm(),
    })  # fmt: skip


@staff_only
@require_POST
def issue_assign(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible(request, pk)
    posted_step(request, AssignIssueForm(request.POST, agents=eligible_assignees(issue)), lambda d: assign_issue(
        issue=issue, assignee=d["assignee"], working_days=d["working_days"], by=request.user,  # type: ignore[arg-type]
    ), _("Assigned."))  # fmt: skip
    return redirect("oversight:issue_detail", pk=pk)


def _text_step(request: HttpRequest, pk: int, step: Callable[..., object], done: str) -> HttpResponse:
    issue = _visible(request, pk)
    posted_step(request, IssueTextForm(request.POST), lambda d: step(issue, d["text"], request.user), done)
    return redirect("oversight:issue_detail", pk=pk)


@staff_only
@require_POST
def issue_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    return _text_step(request, pk, lambda i, t, u: add_issue_follow_up(issue=i, text=t, by=u), _("Saved."))


@staff_only
@require_POST
def issue_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _text_step(request, pk, lambda i, t, u: resolve_issue(issue=i, resolution=t, by=u), _("Resolved."))


@staff_only
@require_POST
def issue_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _text_step(request, pk, lambda i, t, u: reopen_issue(issue=i, reason=t, by=u), _("Reopened."))


dashboard_viewers = permission_rule(roles_rule(Role.SUPERVISOR, Role.COORDINATOR))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _supervised(request: HttpRequest) -> QuerySet[Jurisdiction]:
    """The jurisdictions the signed-in person supervises (a city supervisor: every district), by code."""
    return Jurisdiction.objects.filter(id__in=jurisdictions_where(request.user, Role.SUPERVISOR)).order_by(
        "code"
    )


def _scope(
    request: HttpRequest,
) -> tuple[Scope, list[Jurisdiction], Jurisdiction | None, dt.date | None, dt.date | None]:
    choices = list(_supervised(request))
    chosen = next((j for j in choices if j.code == request.GET.get("j")), None)
    start_on, end_on = _date(request.GET.get("from")), _date(request.GET.get("to"))
    return (
        scope_for(request.user, jurisdiction=chosen, start_on=start_on, end_on=end_on),
        choices,
        chosen,
        start_on,
        end_on,
    )


@dashboard_viewers
def dashboard(request: HttpRequest) -> HttpResponse:
    """监管看板: requests, items, deadlines, satisfaction and workload in the viewer's scope."""
    scope, choices, chosen, start_on, end_on = _scope(request)
    now = timezone.now()
    today = timezone.localdate(now)
    query = request.GET.urlencode()
    stages, item_states = dict(Stage.choices), dict(CaseItem.State.choices)
    figures = dashboard_figures(scope, today, now)
    states, items, clocks = figures.requests_by_state, figures.items_by_stage_and_state, figures.standing
    marks, trend, load = figures.satisfaction, figures.monthly_requests, figures.workload
    drill = reverse("oversight:dashboard_items")
    charts = {
        "requests": {
            "labels": [str(label) for value, label in ServiceRequest.State.choices],
            "values": [states.get(value, 0) for value, _label in ServiceRequest.State.choices],
            "urls": [f"{reverse('cases:request_list')}?state={value}" + (f"&j={chosen.code}" if chosen else "")
                     for value, _label in ServiceRequest.State.choices],
        },
        "stages": {
            "labels": [str(label) for label in stages.values()],
            "series": [{"name": str(item_states[s]), "values": [items.get((stage, s), 0) for stage in stages]}
                       for s in item_states if any(items.get((stage, s)) for stage in stages)],
        },
        "units": _standing_chart(clocks.by_unit, drill, "unit", query),
        "localities": _standing_chart(clocks.by_locality, drill, "locality", query),
        "trend": {"labels": [m.strftime("%Y-%m") for m, _n in trend], "values": [n for _m, n in trend]},
        "satisfaction": {"labels": [str(Level(level).label) for level in marks["by_level"]],
                         "values": list(marks["by_level"].values())},
        "workload": {"labels": [r["name"] for r in load], "values": [r["n"] for r in load]},
    }  # fmt: skip
    return render(request, "oversight/dashboard.html", {
        "charts": charts, "choices": choices, "chosen": chosen, "start_on": start_on, "end_on": end_on,
        "totals": clocks.totals, "marks": marks, "request_total": sum(states.values()), "scope": scope,
        "districts": figures.by_jurisdiction, "query": query, "today": today, "as_of": figures.computed_at,
    })  # fmt: skip


def _standing_chart(
    rows: dict[tuple[int, str], Counter[str]], drill: str, key: str, query: str
) -> dict[str, object]:
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1]["overdue"], -kv[1]["due_soon"], kv[0][1]))[:20]
    return {
        "labels": [name for (_pk, name), _c in ordered],
        "overdue": [c["overdue"] for _k, c in ordered],
        "due_soon": [c["due_soon"] for _k, c in ordered],
        "urls": [f"{drill}?{key}={pk}&{query}" for (pk, _name), _c in ordered],
    }


@dashboard_viewers
def dashboard_items(request: HttpRequest) -> HttpResponse:
    """The items behind a dashboard number: open filed items of one unit or locality, by deadline standing."""
    scope, _choices, _chosen, _s, _e = _scope(request)
    today = timezone.localdate()
    items = open_filed(scope)
    level = request.GET.get("level", "")
    filters = standing_filters(scope, today, settings.DAIBAN_DUE_SOON_WORKING_DAYS)
    if level in filters:
        items = items.filter(filters[level])
    for key, lookup in (("unit", "responsible_unit_id"), ("locality", "request__locality_id")):
        value = request.GET.get(key, "")
        if value.isdigit():
            items = items.filter(**{lookup: int(value)})
    rows = list(
        items.select_related(
            "request__jurisdiction", "request__project", "approval_item", "responsible_unit", "agent"
        )
        .prefetch_related("stops")
        .order_by("due_on", "id")[:500]
    )
    clocks = item_clocks(rows, today)
    return render(
        request, "oversight/dashboard_items.html", {"rows": [(i, clocks[i.pk]) for i in rows], "level": level}
    )


def _unknown_quarter(request: HttpRequest, error: InvalidQuarter, *, status: int, back: str) -> HttpResponse:
    return render(
        request,
        "oversight/unknown_quarter.html",
        {"message": error.user_message, "back": back},
        status=status,
    )


def quarter_from_query(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Hands the view the quarter asked for in `?year=&quarter=` (a part left out: the last quarter that
    ended) as `quarter`; a quarter that cannot exist is a bad request, answered with what is possible."""

    @functools.wraps(view)
    def with_quarter(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        try:
            quarter = Quarter.from_query(request.GET, Quarter.last_ended())
        except InvalidQuarter as exc:
            return _unknown_quarter(request, exc, status=400, back=request.path)
        return view(request, *args, quarter=quarter, **kwargs)

    return with_quarter


def quarter_from_path(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Hands the view the quarter of the URL's `<int:year>/<int:quarter>/` as `quarter`; one that cannot
    exist is not found, answered with what is possible."""

    @functools.wraps(view)
    def with_quarter(
        request: HttpRequest, *args: object, year: int, quarter: int, **kwargs: object
    ) -> HttpResponseBase:
        try:
            period = Quarter(year, quarter)
        except InvalidQuarter as exc:
            return _unknown_quarter(request, exc, status=404, back=reverse("oversight:ledger_list"))
        return view(request, *args, quarter=period, **kwargs)

    return with_quarter


def _ledger_units(request: HttpRequest, jurisdiction: Jurisdiction | None) -> QuerySet[Unit]:
    """Supervisors: every ledger unit of the jurisdictions they oversee; coordinators: their own units."""
    supervised = jurisdictions_where(request.user, Role.SUPERVISOR)
    coordinated = coordinator_units(request.user)
    units = Unit.objects.filter(kind__in=LEDGER_UNIT_KINDS).filter(
        Q(jurisdiction_id__in=supervised) | Q(id__in=coordinated)
    )
    if jurisdiction is not None:
        units = units.filter(jurisdiction=jurisdiction)
    return units.select_related("jurisdiction").order_by("jurisdiction__code", "kind", "position", "id")


@dashboard_viewers
@quarter_from_query
def ledger_list(request: HttpRequest, quarter: Quarter) -> HttpResponse:
    """工作台账: each responsible unit's ledger for the quarter, and who has submitted."""
    choices = list(_supervised(request))
    chosen = next((j for j in choices if j.code == request.GET.get("j")), choices[0] if choices else None)
    units = _ledger_units(request, chosen)
    submitted = {
        ledger.unit_id: ledger for ledger in QuarterlyLedger.objects.filter(unit__in=units).of(quarter)
    }
    rows = [(u, submitted.get(u.pk)) for u in units]
    return render(request, "oversight/ledger_list.html", {
        "rows": rows, "quarter": quarter, "choices": choices, "chosen": chosen,
        "submitted_count": len(submitted), "due_on": ledger_due_on(chosen, quarter) if chosen else None,
    })  # fmt: skip


@dashboard_viewers
@quarter_from_path
def ledger_detail(request: HttpRequest, unit_pk: int, quarter: Quarter) -> HttpResponse:
    unit = get_object_or_404(_ledger_units(request, None), pk=unit_pk)
    ledger = QuarterlyLedger.objects.filter(unit=unit).of(quarter).select_related("submitted_by").first()
    figures = (
        ledger.figures
        if ledger
        else ledger_figures(unit.jurisdiction, quarter, units=Unit.objects.filter(pk=unit.pk))
        .units[unit.pk]
        .as_dict()
    )
    can_submit = ledger is None and unit.pk in coordinator_units(request.user)
    form = LedgerForm(request.POST or None) if can_submit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                submit_ledger(unit=unit, quarter=quarter, annotation=form.cleaned_data["annotation"],
                              by=request.user)  # type: ignore[arg-type]  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Ledger submitted to the reform office."))
                return redirect(
                    "oversight:ledger_detail", unit_pk=unit.pk, year=quarter.year, quarter=quarter.number
                )
    titles = column_titles()
    return render(request, "oversight/ledger_detail.html", {
        "unit": unit, "quarter": quarter, "ledger": ledger, "form": form,
        "figures": [(titles[k], figures.get(k)) for k, _w in SUMMARY_COLUMNS if k in figures],
        "due_on": ledger_due_on(unit.jurisdiction, quarter),
    }, status=400 if request.method == "POST" else 200)  # fmt: skip


@supervisors_only
@quarter_from_query
def ledger_export(request: HttpRequest, quarter: Quarter) -> FileResponse:
    jurisdiction = get_object_or_404(_supervised(request), code=request.GET.get("j", ""))
    workbook = ledger_workbook(jurisdiction, quarter)
    return FileResponse(
        workbook, as_attachment=True, filename=f"台账-{jurisdiction.code}-{quarter}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip


@supervisors_only
@quarter_from_query
def ranking(request: HttpRequest, quarter: Quarter) -> HttpResponse:
    """考核评比: the quarter's ranking of units or agents, with the formula and the weights used."""
    choices = list(_supervised(request))
    chosen = next((j for j in choices if j.code == request.GET.get("j")), choices[0] if choices else None)
    target = "agent" if request.GET.get("target") == "agent" else "unit"
    rows = []
    weights: dict[str, float] = {}
    if chosen is not None:
        rows = (rank_agents if target == "agent" else rank_units)(chosen, quarter)
        weights = weights_for(chosen, target)
    # Units or agents with nothing to score this quarter are named once below the table, not as rows of
    # dashes: a county has some forty townships and a phone shows one row per screen.
    return render(request, "oversight/ranking.html", {
        "rows": [r for r in rows if r.score is not None], "unscored": [r.subject for r in rows if r.score is None], "weights": [(INDICATORS[k], k, w) for k, w in weights.items()], "columns": list(INDICATORS.items()), "target": target, "quarter": quarter,
        "choices": choices, "chosen": chosen,
    })  # fmt: skip


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
        "page": page, "can_record": bool(jurisdictions_where(request.user, Role.SUPERVISOR)), "today": timezone.localdate(),
    })  # fmt: skip


@supervisors_only
def inspection_create(request: HttpRequest) -> HttpResponse:
    jurisdictions = _supervised(request)
    units = Unit.objects.filter(jurisdiction__in=jurisdictions, kind__in=LEDGER_UNIT_KINDS).order_by(
        "jurisdiction__code", "kind", "position", "id"
    )
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
    coordinated = coordinator_units(request.user)
    actions = [
        (a, a.done_on is None and a.unit_id in coordinated) for a in inspection.actions.select_related("unit")
    ]
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
