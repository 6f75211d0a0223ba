"""Reads already scoped to the person asking. Views use these, never bare `Model.objects`."""

from django.db.models import Q, QuerySet

from .auth import Viewer
from .models import Jurisdiction, Role, RoleAssignment, ServiceZone, Unit, User

_CACHE_ATTR = "_daiban_active_roles"
_JURISDICTIONS_ATTR = "_daiban_staff_jurisdictions"
_DISTRICTS_ATTR = "_daiban_role_districts"


def person_id(user: Viewer) -> int:
    """The user's primary key, or 0 (which matches no row) for an anonymous visitor."""
    return user.pk or 0


def active_roles(user: Viewer) -> list[RoleAssignment]:
    """The user's unrevoked role assignments, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return []
    cached: list[RoleAssignment] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user_id=person_id(user), revoked_at__isnull=True)
            .select_related("jurisdiction", "unit", "section")
            .order_by("jurisdiction__code", "role", "id")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Viewer) -> None:
    """Drop the cached roles after a grant or revoke so the same request sees the change."""
    for attr in (_CACHE_ATTR, _JURISDICTIONS_ATTR, _DISTRICTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def is_platform_superuser(user: Viewer) -> bool:
    return user.is_authenticated and user.is_superuser


def is_staff_person(user: Viewer) -> bool:
    return is_platform_superuser(user) or bool(active_roles(user))


def with_districts(jurisdiction_ids: set[int]) -> set[int]:
    """The one rule for city-level roles: a role held for the city covers each of its districts. Returns the
    given jurisdictions and their districts (one query, none when the set is empty)."""
    if not jurisdiction_ids:
        return set()
    children = Jurisdiction.objects.filter(parent_id__in=jurisdiction_ids).values_list("id", flat=True)
    return jurisdiction_ids | set(children)


def _role_districts(user: Viewer) -> dict[int, set[int]]:
    """Each jurisdiction the user holds a role in, with its districts: read once per request and kept with
    the roles, so `staff_jurisdiction_ids` and `jurisdictions_where` (both asked by the home page and the
    lists) do not each read the districts again."""
    cached: dict[int, set[int]] | None = getattr(user, _DISTRICTS_ATTR, None)
    if cached is None:
        held = {a.jurisdiction_id for a in active_roles(user)}
        cached = {pk: {pk} for pk in held}
        if held:
            for child, parent in Jurisdiction.objects.filter(parent_id__in=held).values_list(
                "id", "parent_id"
            ):
                cached[parent].add(child)
        if user.is_authenticated:
            setattr(user, _DISTRICTS_ATTR, cached)
    return cached


def staff_jurisdiction_ids(user: Viewer) -> set[int]:
    """Jurisdictions the user works in through any role; a role at city level spans its districts. Kept on
    the user object with the roles it comes from: a page asks several times (its own figures, the
    projects and applicants it may show)."""
    cached: set[int] | None = getattr(user, _JURISDICTIONS_ATTR, None)
    if cached is None:
        if is_platform_superuser(user):
            cached = set(Jurisdiction.objects.values_list("id", flat=True))
        else:
            cached = set().union(*_role_districts(user).values())
        if user.is_authenticated:
            setattr(user, _JURISDICTIONS_ATTR, cached)
    return set(cached)


def jurisdictions_visible_to(user: Viewer) -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.filter(id__in=staff_jurisdiction_ids(user))


def units_visible_to(user: Viewer) -> QuerySet[Unit]:
    return Unit.objects.filter(jurisdiction_id__in=staff_jurisdiction_ids(user)).select_related(
        "jurisdiction"
    )


def people_visible_to(user: Viewer) -> QuerySet[User]:
    """Staff working in the same jurisdictions (for assignment pickers and rosters)."""
    ids = staff_jurisdiction_ids(user)
    return User.objects.filter(
        Q(role_assignments__jurisdiction_id__in=ids) & Q(role_assignments__revoked_at__isnull=True)
    ).distinct()


def role_holders(role: str, **where: object) -> QuerySet[User]:
    """Active people holding `role` (optionally for a unit or jurisdiction): recipients of reminders,
    escalations and notices."""
    holders = RoleAssignment.objects.filter(role=role, revoked_at__isnull=True, **where).values("user_id")
    return User.objects.filter(id__in=holders, is_active=True)


def jurisdictions_where(user: Viewer, *roles: str) -> set[int]:
    """Jurisdiction ids where the user holds any of `roles`; a city-level holder spans the city's
    districts."""
    if is_platform_superuser(user):
        return set(Jurisdiction.objects.values_list("id", flat=True))
    held = {a.jurisdiction_id for a in active_roles(user) if a.role in roles}
    if not held:  # none of these roles: no need to read the districts
        return set()
    districts = _role_districts(user)
    return set().union(*(districts[pk] for pk in held))


def jurisdictions_administered_by(user: Viewer) -> dict[str, str]:
    """Code → name of the jurisdictions the user administers (a city administrator's span its districts;
    the platform superuser's are all). The Django admin scopes every model by this rule (the setting
    `DAIBAN_ADMINISTERED_JURISDICTIONS` names it)."""
    ids = jurisdictions_where(user, Role.ADMINISTRATOR)
    return dict(Jurisdiction.objects.filter(id__in=ids).order_by("code").values_list("code", "name"))


def units_where(user: Viewer, *roles: str) -> set[int]:
    """Unit ids for which the user holds any of `roles`."""
    return {a.unit_id for a in active_roles(user) if a.role in roles and a.unit_id}


def coordinator_units(user: Viewer) -> set[int]:
    """The units (departments, townships, parks) the user coordinates."""
    return units_where(user, Role.COORDINATOR)


def public_service_zones(jurisdiction: Jurisdiction) -> QuerySet[ServiceZone]:
    """Where to find the service in person: public, like the catalogue."""
    return ServiceZone.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("position", "id")
