"""Who may use the account pages beyond their own: the administrators who unlock accounts; the window
clerks and administrators who open walk-in enterprises' accounts."""

from django.http import HttpRequest

from daiban.common.access import Rule, permission_rule
from daiban.organizations.models import Role
from daiban.organizations.permissions import has_role
from daiban.organizations.selectors import is_platform_superuser


def _administers(request: HttpRequest) -> bool:
    return is_platform_superuser(request.user) or has_role(request.user, Role.ADMINISTRATOR)


ADMINISTRATORS = Rule("a jurisdiction administrator or the platform superuser", _administers)
administrators_only = permission_rule(ADMINISTRATORS)


def _opens_accounts(request: HttpRequest) -> bool:
    return is_platform_superuser(request.user) or has_role(request.user, Role.CLERK, Role.ADMINISTRATOR)


WINDOW_STAFF = Rule("a window clerk, a jurisdiction administrator or the platform superuser", _opens_accounts)
window_staff_only = permission_rule(WINDOW_STAFF)
