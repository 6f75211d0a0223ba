from django.db.models import Q, QuerySet

from daiban.common.models import AuditEntry
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Jurisdiction, Role, Unit
from daiban.organizations.selectors import (
    coordinator_units,
    is_platform_superuser,
    jurisdictions_where,
    person_id,
)

from .ledger import LEDGER_UNIT_KINDS
from .models import CoordinationIssue, Forum, Inspection
from .services import RAISING_ROLES


def issues_visible_to(user: Viewer) -> QuerySet[CoordinationIssue]:
    """Supervisors see their jurisdictions' issue lists; coordinators their units' issues; agents the issues
    assigned to them; everyone the problems they raised."""
    if not user.is_authenticated:
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


def inspections_visible_to(user: Viewer) -> QuerySet[Inspection]:
    """Supervisors see their jurisdictions' inspections; coordinators those of their units."""
    if not user.is_authenticated:
        return Inspection.objects.none()
    coordinated = coordinator_units(user)
    return Inspection.objects.filter(
        Q(jurisdiction_id__in=jurisdictions_where(user, Role.SUPERVISOR))
        | Q(units__in=coordinated)
        | Q(actions__unit__in=coordinated)
    ).distinct()


def supervised_jurisdictions(user: Viewer) -> QuerySet[Jurisdiction]:
    """The jurisdictions the person supervises (a city supervisor: every district), by code: what the
    oversight pages let them choose between."""
    return Jurisdiction.objects.filter(id__in=jurisdictions_where(user, Role.SUPERVISOR)).order_by("code")


def chosen_jurisdiction(choices: list[Jurisdiction], code: str | None) -> Jurisdiction | None:
    """The jurisdiction a ledger or ranking page shows: the one asked for by code, else the first district
    or county. A city supervisor's own city has no units of its own, so opening on it showed an empty
    page; the districts are what the city compares."""
    asked = next((j for j in choices if j.code == code), None)
    return asked or next((j for j in choices if j.parent_id is not None), choices[0] if choices else None)


def raising_jurisdictions(user: Viewer) -> QuerySet[Jurisdiction]:
    """Where the person may raise a problem on a unit's own: where they are an agent or a coordinator."""
    return Jurisdiction.objects.filter(id__in=jurisdictions_where(user, *RAISING_ROLES))


def ledger_units_visible_to(user: Viewer, jurisdiction: Jurisdiction | None = None) -> QuerySet[Unit]:
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


def audit_entries_visible_to(user: Viewer) -> QuerySet[AuditEntry]:
    """The audit trail of the jurisdictions where the person is a supervisor or an administrator (a city
    supervisor: every district's); the platform superuser sees all of it, the platform's own entries too."""
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    if is_platform_superuser(user):
        return AuditEntry.objects.all()
    codes = Jurisdiction.objects.filter(
        id__in=jurisdictions_where(user, Role.SUPERVISOR, Role.ADMINISTRATOR)
    ).values_list("code", flat=True)
    return AuditEntry.objects.filter(jurisdiction_code__in=list(codes))


def forums_visible_to(user: Viewer) -> QuerySet[Forum]:
    """The forums of the jurisdictions the person supervises (the reform office that holds them)."""
    if not user.is_authenticated:
        return Forum.objects.none()
    if is_platform_superuser(user):
        return Forum.objects.all()
    return Forum.objects.filter(jurisdiction_id__in=jurisdictions_where(user, Role.SUPERVISOR))
