"""Who may do what in cases: the URL rules (role only) and the yes/no checks on one object (role and
ownership) that the workflow's actors, the services and the pages share."""

from daiban.common.access import permission_rule
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role, Unit
from daiban.organizations.permissions import roles_rule
from daiban.organizations.selectors import active_roles, coordinator_units, person_id
from daiban.projects.models import ApplicantRepresentative

from .models import CaseItem, LocalityRole, ServiceRequest

coordinators_only = permission_rule(roles_rule(Role.COORDINATOR))
agents_only = permission_rule(roles_rule(Role.AGENT))
clerks_only = permission_rule(roles_rule(Role.CLERK))


def can_decide_item(user: Viewer, item: CaseItem) -> bool:
    """Accept or decline one item: a coordinator of the item's own responsible unit (ADR 0022) — never the
    locality's, nor another unit's of the same request."""
    return item.responsible_unit_id in coordinator_units(user)


def decidable_items(user: Viewer, request: ServiceRequest) -> list[CaseItem]:
    """The request's items still awaiting acceptance that `user` may decide."""
    units = coordinator_units(user)
    if not units:
        return []
    return list(
        request.items.filter(responsible_unit_id__in=units, acceptance=CaseItem.Acceptance.PENDING)
        .select_related("approval_item", "request__jurisdiction", "request__applicant")
        .order_by("position", "id")
    )


def locality_arranges_agents(request: ServiceRequest) -> bool:
    """The township is co-responsible under the request's stored routing (酉阳方案 四(二)2: departments
    together with the township arrange the agents); a local contact (大足) does not assign."""
    return (
        request.locality_role == LocalityRole.CO_RESPONSIBLE and request.locality.kind == Unit.Kind.TOWNSHIP
    )


def can_assign(user: Viewer, item: CaseItem, request: ServiceRequest) -> bool:
    """Assign an item's agent: its responsible unit's coordinator, or a co-responsible township's."""
    units = coordinator_units(user)
    if item.responsible_unit_id in units:
        return True
    return locality_arranges_agents(request) and request.locality_id in units


def is_representative(person: Viewer, request: ServiceRequest) -> bool:
    """The person speaks for the request's enterprise. Read fresh: steps and services decide on it, so it
    does not trust `represents`, the per-request copy the pages and the menu share."""
    return ApplicantRepresentative.objects.filter(
        applicant_id=request.applicant_id, user_id=person_id(person)
    ).exists()


def is_reviewer_of(person: Viewer, item: CaseItem) -> bool:
    """A section reviewer of the item's department (and of its section, where the catalogue names one)."""
    approval = item.approval_item
    return any(
        a.role == Role.SECTION_REVIEWER
        and a.unit_id == approval.department_id
        and (approval.section_id is None or a.section_id == approval.section_id)
        for a in active_roles(person)
    )


def is_agent_of(person: Viewer, item: CaseItem) -> bool:
    return item.agent_id is not None and item.agent_id == person.pk
