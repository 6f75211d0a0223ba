from django.db.models import Q, QuerySet

from daiban.organizations.models import Role
from daiban.organizations.selectors import (
    coordinator_units,
    is_platform_superuser,
    jurisdictions_where,
    person_id,
)

from .models import CoordinationIssue, Inspection


def issues_visible_to(user: object) -> QuerySet[CoordinationIssue]:
    """Supervisors see their jurisdictions' issue lists; coordinators their units' issues; agents the issues
    assigned to them; everyone the problems they raised."""
    if not getattr(user, "is_authenticated", False):
        return CoordinationIssue.objects.none()
    if is_platform_superuser(user):
        return CoordinationIssue.objects.all()
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    coordinated = coordinator_units(user)
    uid = person_id(user)
    return CoordinationIssue.objects.filter(
        Q(jurisdiction_id__in=supervised)
        | Q(raised_by_id=uid)
        | Q(assignee_id=uid)
        | Q(unit_id__in=coordinated)
    )


def inspections_visible_to(user: object) -> QuerySet[Inspection]:
    """Supervisors see their jurisdictions' inspections; coordinators those of their units."""
    if not getattr(user, "is_authenticated", False):
        return Inspection.objects.none()
    coordinated = coordinator_units(user)
    return Inspection.objects.filter(
        Q(jurisdiction_id__in=jurisdictions_where(user, Role.SUPERVISOR))
        | Q(units__in=coordinated)
        | Q(actions__unit__in=coordinated)
    ).distinct()
