"""The coordination issue list (需协办事项问题清单): raise (from an item or on a unit's own), list, detail,
assign, follow up, resolve, reopen."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.cases.models import CaseItem
from daiban.cases.permissions import agents_only
from daiban.cases.selectors import requests_visible_to
from daiban.cases.views.lists import export_rows
from daiban.common.forms import add_service_errors, posted_step
from daiban.common.listing import controls, exporting
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.permissions import staff_only
from daiban.organizations.selectors import staff_jurisdiction_ids

from ..forms import AssignIssueForm, IssueForm, IssueTextForm, NewIssueForm
from ..listings import ISSUE_COLUMNS, issue_listing
from ..models import CoordinationIssue
from ..permissions import can_raise_issues, issue_steps, raisers_only
from ..selectors import issues_visible_to, raising_jurisdictions
from ..services import (
    add_issue_follow_up,
    assign_issue,
    eligible_assignees,
    raise_issue,
    raise_issue_from_item,
    reopen_issue,
    resolve_issue,
)


@agents_only
@require_POST
def raise_from_item(request: AuthenticatedRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(
        CaseItem.objects.filter(request__in=requests_visible_to(request.user)).select_related(
            "request__jurisdiction", "request__project", "request__locality", "approval_item"
        ),
        pk=item_pk,
    )
    posted_step(
        request,
        IssueForm(request.POST),
        lambda d: raise_issue_from_item(
            item=item,
            title=d["title"],
            description=d["description"],
            by=request.user,
        ),
        _("The problem is on the reform office's issue list."),
    )
    return redirect("cases:item_detail", pk=item.request_id, item_pk=item.pk)


@raisers_only
def issue_create(request: AuthenticatedRequest) -> HttpResponse:
    """A unit raises a problem on its own, not tied to one item."""
    form = NewIssueForm(request.POST or None, jurisdictions=raising_jurisdictions(request.user))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            issue = raise_issue(
                jurisdiction=c["jurisdiction"],
                unit=c["unit"],
                title=c["title"],
                description=c["description"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The problem is on the reform office's issue list."))
            return redirect("oversight:issue_detail", pk=issue.pk)
    return render(
        request, "oversight/issue_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@staff_only
def issue_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """The 问题清单 as each person may see it: searched, filtered, sorted, a page at a time — or every
    filtered row as an Excel workbook."""
    today = timezone.localdate()
    listing = issue_listing(today, staff_jurisdiction_ids(request.user))
    issues = issues_visible_to(request.user).select_related(
        "jurisdiction",
        "unit",
        "raised_by",
        "assignee",
        "case_item__approval_item",
        "case_item__request__project",
    )
    issues, state = listing.apply(issues, request.GET)
    if exporting(request.GET):
        return export_rows(request, _("Coordination issue list"), ISSUE_COLUMNS, issues)
    page = Paginator(issues, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/issue_list.html",
        {
            "page": page,
            "today": today,
            "can_raise": can_raise_issues(request.user),
            **controls(
                listing,
                state,
                placeholder=_("problem, project, credit code, item, agent"),
                period_label=_("Raised from"),
            ),
        },
    )


def _visible(request: AuthenticatedRequest, pk: int) -> CoordinationIssue:
    return get_object_or_404(
        issues_visible_to(request.user).select_related(
            "jurisdiction",
            "unit",
            "raised_by",
            "assignee",
            "case_item__approval_item",
            "case_item__request__project",
            "case_item__responsible_unit",
        ),
        pk=pk,
    )


@staff_only
def issue_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    issue = _visible(request, pk)
    steps = issue_steps(request.user, issue)
    return render(
        request,
        "oversight/issue_detail.html",
        {
            "issue": issue,
            "notes": issue.notes.select_related("by"),
            "today": timezone.localdate(),
            "assign_form": AssignIssueForm(
                agents=eligible_assignees(issue), initial={"assignee": issue.assignee_id}
            )
            if steps.assign
            else None,
            "can_follow_up": steps.follow_up,
            "can_resolve": steps.resolve,
            "can_reopen": steps.reopen,
            "text_form": IssueTextForm(),
        },
    )


@staff_only
@require_POST
def issue_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    issue = _visible(request, pk)
    posted_step(
        request,
        AssignIssueForm(request.POST, agents=eligible_assignees(issue)),
        lambda d: assign_issue(
            issue=issue,
            assignee=d["assignee"],
            working_days=d["working_days"],
            by=request.user,
        ),
        _("Assigned."),
    )
    return redirect("oversight:issue_detail", pk=pk)


def _text_step(
    request: AuthenticatedRequest, pk: int, step: Callable[..., object], done: str
) -> HttpResponse:
    issue = _visible(request, pk)
    posted_step(request, IssueTextForm(request.POST), lambda d: step(issue, d["text"], request.user), done)
    return redirect("oversight:issue_detail", pk=pk)


@staff_only
@require_POST
def issue_follow_up(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _text_step(request, pk, lambda i, t, u: add_issue_follow_up(issue=i, text=t, by=u), _("Saved."))


@staff_only
@require_POST
def issue_resolve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _text_step(request, pk, lambda i, t, u: resolve_issue(issue=i, resolution=t, by=u), _("Resolved."))


@staff_only
@require_POST
def issue_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _text_step(request, pk, lambda i, t, u: reopen_issue(issue=i, reason=t, by=u), _("Reopened."))
