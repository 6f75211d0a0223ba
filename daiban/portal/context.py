from django.http import HttpRequest

from daiban.notifications.selectors import unread_count
from daiban.organizations.selectors import active_roles, is_staff_person
from daiban.projects.selectors import is_applicant_user


def navigation(request: HttpRequest) -> dict[str, object]:
    """Which menu entries to show. Menus only hide links; every view checks access itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    roles = {a.role for a in active_roles(user)}
    staff = is_staff_person(user)
    return {
        "nav": {
            "staff": staff,
            # whether the 监督 group has any entry (the menu shows no empty group)
            "oversight": staff or bool(roles & {"supervisor", "coordinator", "administrator"}),
            "applicant": is_applicant_user(user),
            "coordinator": "coordinator" in roles,
            "agent": "agent" in roles,
            "clerk": "clerk" in roles,
            "hall_manager": "hall_manager" in roles,
            "supervisor": "supervisor" in roles,
            "administrator": "administrator" in roles,
            "unread": unread_count(user),
        }
    }
