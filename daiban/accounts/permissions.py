"""Who may use the account pages beyond their own: the administrators who unlock accounts."""

from django.http import HttpRequest

from daiban.common.access import Rule, permission_rule
from daiban.organizations.models import Role
from daiban.organizations.permissions import has_role
from daiban.organizations.selectors import is_platform_superuser


def _administers(request: HttpRequest) -> bool:
    return is_platform_superuser(request.user) or has_role(request.user, Role.ADMINISTRATOR)


ADMINISTRATORS = Rule("a jurisdiction administrator or the platform superuser", _administers)
administrators_only = permission_rule(ADMINISTRATORS)
