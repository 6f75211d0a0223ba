from django.http import HttpRequest

from daiban.organizations.selectors import is_staff_person
from daiban.projects.selectors import is_applicant_user


def navigation(request: HttpRequest) -> dict[str, dict[str, bool]]:
    """Which menu entries to show. Menus only hide links; every view checks access itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"staff": False, "applicant": False}}
    return {"nav": {"staff": is_staff_person(user), "applicant": is_applicant_user(user)}}
