"""A coordination issue's state graph, registered with the workflow core (ADR 0012).

open ──assign (supervisor)──► assigned ──resolve (assignee or supervisor)──► resolved
                               ▲  └─assign (reassign)─┘                          │
                               └──────────────reopen (supervisor)───────────────┘
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daiban.common.audit import AuditVerb
from daiban.common.workflow import Actor, Move, Step, Workflow, move
from daiban.notifications.services import notify
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role
from daiban.organizations.selectors import jurisdictions_where, role_holders

from .models import CoordinationIssue, IssueNote

S = CoordinationIssue.Status


def supervises(person: Viewer, issue: CoordinationIssue) -> bool:
    """A supervisor of the issue's jurisdiction (a city supervisor spans its districts)."""
    return issue.jurisdiction_id in jurisdictions_where(person, Role.SUPERVISOR)


def is_assignee(person: Viewer, issue: CoordinationIssue) -> bool:
    return issue.assignee_id is not None and issue.assignee_id == person.pk


SUPERVISOR = Actor[CoordinationIssue]("supervisor", supervises)
ASSIGNEE_OR_SUPERVISOR = Actor[CoordinationIssue](
    "assignee_or_supervisor", lambda person, issue: is_assignee(person, issue) or supervises(person, issue)
)


def issue_url(issue: CoordinationIssue) -> str:
    return reverse("oversight:issue_detail", args=[issue.pk])


def _history(step: Step[CoordinationIssue]) -> None:
    IssueNote.objects.create(
        issue=step.obj,
        verb=step.move.verb,
        from_state=step.before,
        to_state=step.after,
        text=step.note,
        by=step.by,
    )


def _assigned(step: Step[CoordinationIssue]) -> None:
    issue = step.obj
    if issue.assignee is None:
        return
    notify(
        recipients=[issue.assignee],
        verb=step.move.verb,
        title=_("Coordination problem for you, due %(due)s: %(title)s")
        % {"due": issue.due_on, "title": issue.title},
        body=issue.description[:200],
        url=issue_url(issue),
        jurisdiction_code=issue.jurisdiction.code,
    )


def _resolved(step: Step[CoordinationIssue]) -> None:
    issue = step.obj
    notify(
        recipients=[issue.raised_by, *role_holders(Role.SUPERVISOR, jurisdiction=issue.jurisdiction)],
        verb=step.move.verb,
        title=_("Coordination problem resolved: %(title)s") % {"title": issue.title},
        body=step.note[:200],
        url=issue_url(issue),
        jurisdiction_code=issue.jurisdiction.code,
    )


def _reopened(step: Step[CoordinationIssue]) -> None:
    issue = step.obj
    if issue.assignee is None:
        return
    notify(
        recipients=[issue.assignee],
        verb=step.move.verb,
        title=_("Coordination problem reopened: %(title)s") % {"title": issue.title},
        body=step.note[:200],
        url=issue_url(issue),
        jurisdiction_code=issue.jurisdiction.code,
    )


ISSUE_MOVES: tuple[Move[CoordinationIssue], ...] = (
        move("assign",  {S.OPEN, S.ASSIGNED}, S.ASSIGNED, SUPERVISOR,             AuditVerb.ISSUE_ASSIGNED, gettext_lazy("Assign")),
        move("resolve", {S.ASSIGNED},         S.RESOLVED, ASSIGNEE_OR_SUPERVISOR, AuditVerb.ISSUE_RESOLVED, gettext_lazy("Record the resolution")),
        move("reopen",  {S.RESOLVED},         S.ASSIGNED, SUPERVISOR,             AuditVerb.ISSUE_REOPENED, gettext_lazy("Reopen")),
)  # fmt: skip

ISSUE = Workflow[CoordinationIssue](
    name="issue",
    model=CoordinationIssue,
    state_field="status",
    moves=ISSUE_MOVES,
    refused_in_state=gettext_lazy("This issue is “%(status)s”; “%(action)s” is not possible now."),
    refused_actor=gettext_lazy("You are not the one who records this step."),
    stale=gettext_lazy("Someone else changed this meanwhile; reload the page and try again."),
    lock_related=("jurisdiction", "unit", "case_item", "assignee", "raised_by"),
    history=_history,
    announce={"assign": _assigned, "resolve": _resolved, "reopen": _reopened},
)
