from django.db.models import Q, QuerySet

from daiban.organizations.models import Jurisdiction, Role, Unit
from daiban.organizations.selectors import (
    coordinator_units,
    is_platform_superuser,
    jurisdictions_where,
    person_id,
)

from .ledger import LEDGER_UNIT_KINDS
from .models import CoordinationIssue, Inspection
from .services import RAISING_ROLES


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


def supervised_jurisdictions(user: object) -> QuerySet[Jurisdiction]:
    """The jurisdictions the person supervises (a city supervisor: every district), by code: what the
    oversight pages let them choose between."""
    return Jurisdiction.objects.filter(id__in=jurisdictions_where(user, Role.SUPERVISOR)).order_by("code")


def raising_jurisdictions(user: object) -> QuerySet[Jurisdiction]:
    """Where the person may raise a problem on a unit's own: where they are an agent or a coordinator."""
    return Jurisdiction.objects.filter(id__in=jurisdictions_where(user, *RAISING_ROLES))


def ledger_units_visible_to(user: object, jurisdiction: Jurisdiction | None = None) -> QuerySet[Unit]:
    """Supervisors: every ledger unit of the jurisdictions they oversee; coordinators: their own units."""
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    coordinated = coordinator_units(user)
    units = Unit.objects.filter(kind__in=LEDGER_UNIT_KINDS).filter(
        Q(jurisdiction_id__in=supervised) | Q(id__in=coordinated)
    )
    if jurisdiction is not None:
        units = units.filter(jurisdiction=jurisdiction)
    return units.select_related("jurisdiction").order_by("jurisdiction__code", "kind", "position", "id")


def inspectable_units(jurisdictions: QuerySet[Jurisdiction]) -> QuerySet[Unit]:
    """The units an inspection of those jurisdictions may visit and give actions to."""
    return Unit.objects.filter(jurisdiction__in=jurisdictions, kind__in=LEDGER_UNIT_KINDS).order_by(
        "jurisdiction__code", "kind", "position", "id"
    )
