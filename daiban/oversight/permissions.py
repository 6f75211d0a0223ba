"""Who may use the reform office's pages (view rules on roles)."""

from daiban.common.access import permission_rule
from daiban.organizations.models import Role
from daiban.organizations.permissions import roles_rule

from .services import RAISING_ROLES

raisers_only = permission_rule(roles_rule(*RAISING_ROLES))
supervisors_only = permission_rule(roles_rule(Role.SUPERVISOR))
dashboard_viewers = permission_rule(roles_rule(Role.SUPERVISOR, Role.COORDINATOR))
