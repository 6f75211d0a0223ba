from daiban.common.access import permission_rule
from daiban.organizations.models import Role
from daiban.organizations.permissions import roles_rule

coordinators_only = permission_rule(roles_rule(Role.COORDINATOR))
agents_only = permission_rule(roles_rule(Role.AGENT))
clerks_only = permission_rule(roles_rule(Role.CLERK))
