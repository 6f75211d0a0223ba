from daiban.common.access import permission_rule
from daiban.organizations.permissions import roles_rule

from .services import RECORDING_ROLES

question_takers_only = permission_rule(roles_rule(*RECORDING_ROLES))
