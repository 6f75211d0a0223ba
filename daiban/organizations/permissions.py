"""Who may do what: which unit kinds each role is held for, and the view rules built on roles."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from daiban.common.access import Rule, permission_rule

from .auth import Viewer
from .models import Role, Unit
from .selectors import active_roles, is_staff_person

K = Unit.Kind

# Which kind of unit a role is held on behalf of. `None` means the role is held for the whole jurisdiction.
ROLE_UNIT_KINDS: dict[str, frozenset[str | None]] = {
    Role.CLERK: frozenset({K.SERVICE_CENTRE}),
    Role.COORDINATOR: frozenset({K.DEPARTMENT, K.TOWNSHIP, K.PARK}),
    Role.AGENT: frozenset({K.DEPARTMENT, K.TOWNSHIP, K.PARK, K.SERVICE_CENTRE}),
    Role.SECTION_REVIEWER: frozenset({K.DEPARTMENT}),
    Role.HALL_MANAGER: frozenset({K.SERVICE_CENTRE, K.GOVERNMENT_AFFAIRS_OFFICE}),
    Role.SUPERVISOR: frozenset({K.REFORM_OFFICE, K.GOVERNMENT_AFFAIRS_OFFICE, None}),  # None: city-wide
    Role.ADMINISTRATOR: frozenset({None}),
}
ROLES_NEEDING_SECTION = frozenset({Role.SECTION_REVIEWER})

ROLE_HELP = {
    Role.CLERK: _("registers walk-in applications at a service centre window"),
    Role.COORDINATOR: _("accepts requests for a department, township or park and assigns agents"),
    Role.AGENT: _("visits applicants, files items, chases, picks up and delivers results"),
    Role.SECTION_REVIEWER: _("records review progress and decisions for a department's section"),
    Role.HALL_MANAGER: _("calls applicants back after service and rates agents"),
    Role.SUPERVISOR: _("oversees the service: dashboards, ledgers, issue lists, inspections, rankings"),
    Role.ADMINISTRATOR: _("configures units, people, roles, the catalogue and holidays"),
}


def has_role(user: Viewer, *roles: str) -> bool:
    held = {assignment.role for assignment in active_roles(user)}
    return bool(held.intersection(roles))


def roles_rule(*roles: str) -> Rule:
    names = ", ".join(str(r) for r in roles)
    return Rule(f"signed in and holding one of: {names}", lambda request: has_role(request.user, *roles))


def _is_staff_request(request: HttpRequest) -> bool:
    return is_staff_person(request.user)


STAFF = Rule("signed in and holding any staff role (or platform superuser)", _is_staff_request)
staff_only = permission_rule(STAFF)


def files_working_group_changes(user: Viewer, group_office_id: int) -> bool:
    """Member changes are filed (备案) with the working group's office (大足: the 办理建筑许可专项小组办公室):
    its own staff file them; nobody else, the administrator included."""
    return any(a.unit_id == group_office_id for a in active_roles(user))
