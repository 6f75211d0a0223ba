from daiban.common.access import permission_rule
from daiban.organizations.models import Role
from daiban.organizations.permissions import roles_rule

hall_managers_only = permission_rule(roles_rule(Role.HALL_MANAGER))
supervisors_only = permission_rule(roles_rule(Role.SUPERVISOR))
