"""Who may open the promises page: the people the sweep reminds (agents, coordinators, supervisors)."""

from daiban.common.access import permission_rule
from daiban.organizations.models import Role
from daiban.organizations.permissions import roles_rule

promise_viewers = permission_rule(roles_rule(Role.AGENT, Role.COORDINATOR, Role.SUPERVISOR))
