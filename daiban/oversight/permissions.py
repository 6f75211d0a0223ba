"""Who may do what on the reform office's pages: the view rules on roles, and the decisions a page makes
about one person and one object (which buttons and forms it offers). The services check the same rules
again when the step is taken; these only decide what is offered."""

from dataclasses import dataclass

from daiban.common.access import permission_rule
from daiban.organizations.models import Role, Unit
from daiban.organizations.permissions import roles_rule
from daiban.organizations.selectors import coordinator_units, jurisdictions_where

from .models import CoordinationIssue, QuarterlyLedger, RequiredAction
from .services import RAISING_ROLES
from .workflows import ASSIGNEE_OR_SUPERVISOR, ISSUE

raisers_only = permission_rule(roles_rule(*RAISING_ROLES))
supervisors_only = permission_rule(roles_rule(Role.SUPERVISOR))
dashboard_viewers = permission_rule(roles_rule(Role.SUPERVISOR, Role.COORDINATOR))


def can_raise_issues(user: object) -> bool:
    """Agents and coordinators raise problems on their own (not tied to an item)."""
    return bool(jurisdictions_where(user, *RAISING_ROLES))


@dataclass(frozen=True)
class IssueSteps:
    """What an issue's page offers this person now."""

    assign: bool
    follow_up: bool
    resolve: bool
    reopen: bool


def issue_steps(user: object, issue: CoordinationIssue) -> IssueSteps:
    """The moves the issue's workflow (`workflows.ISSUE`) allows this person now; follow-ups are offered to
    the assignee and the supervisors while the issue is assigned."""
    allowed = {m.action for m in ISSUE.allowed_actions(issue, by=user)}
    return IssueSteps(
        assign="assign" in allowed,
        follow_up=issue.status == CoordinationIssue.Status.ASSIGNED
        and ASSIGNEE_OR_SUPERVISOR.allows(user, issue),
        resolve="resolve" in allowed,
        reopen="reopen" in allowed,
    )


def can_submit_ledger(user: object, unit: Unit, ledger: QuarterlyLedger | None) -> bool:
    """A unit's coordinator submits its ledger, once a quarter."""
    return ledger is None and unit.pk in coordinator_units(user)


def can_record_inspections(user: object) -> bool:
    return bool(jurisdictions_where(user, Role.SUPERVISOR))


def can_report_done(user: object, action: RequiredAction) -> bool:
    """The unit's coordinator reports its required action done, once."""
    return action.done_on is None and action.unit_id in coordinator_units(user)
