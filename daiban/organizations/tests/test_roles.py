"""Table-driven: which unit kinds each role may be held for, and the rest of the role rules."""

import pytest
from django.core.exceptions import ValidationError

from daiban.common.models import AuditEntry
from daiban.organizations.models import Role, RoleAssignment, Unit
from daiban.organizations.permissions import ROLE_UNIT_KINDS, has_role
from daiban.organizations.services import grant_role, revoke_role
from daiban.organizations.tests.factories import UserFactory

UNIT_FOR_KIND = {
    Unit.Kind.DEPARTMENT: "zjw",
    Unit.Kind.TOWNSHIP: "township-001",
    Unit.Kind.PARK: "gyyq",
    Unit.Kind.SERVICE_CENTRE: "zwzx",
    Unit.Kind.REFORM_OFFICE: "gaiban",
    None: None,
}
CASES = [
    (role, kind, kind in ROLE_UNIT_KINDS[role])
    for role in Role.values
    for kind in UNIT_FOR_KIND
    if role != Role.SECTION_REVIEWER
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "kind", "allowed"), CASES)
def test_role_unit_kind_table(youyang, role, kind, allowed):
    user = UserFactory.create()
    code = UNIT_FOR_KIND[kind]
    unit = youyang.units.get(code=code) if code else None
    if allowed:
        assignment = grant_role(user=user, role=role, jurisdiction=youyang, unit=unit, by=None)
        assert has_role(user, role)
        assert AuditEntry.objects.filter(verb="role.granted", target_id=str(assignment.pk)).exists()
    else:
        with pytest.raises(ValidationError):
            grant_role(user=user, role=role, jurisdiction=youyang, unit=unit, by=None)
        assert not RoleAssignment.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_section_reviewer_needs_a_section_of_that_department(youyang):
    user = UserFactory.create()
    zjw = youyang.units.get(code="zjw")
    with pytest.raises(ValidationError):
        grant_role(user=user, role=Role.SECTION_REVIEWER, jurisdiction=youyang, unit=zjw, by=None)
    other_section = youyang.units.get(code="gzj").sections.first()
    with pytest.raises(ValidationError) as exc:
        grant_role(
            user=user,
            role=Role.SECTION_REVIEWER,
            jurisdiction=youyang,
            unit=zjw,
            section=other_section,
            by=None,
        )
    assert "不属于所选部门" in str(exc.value)
    grant_role(
        user=user,
        role=Role.SECTION_REVIEWER,
        jurisdiction=youyang,
        unit=zjw,
        section=zjw.sections.first(),
        by=None,
    )
    assert has_role(user, Role.SECTION_REVIEWER)


@pytest.mark.django_db
def test_unit_of_another_jurisdiction_is_refused(youyang, dazu):
    with pytest.raises(ValidationError) as exc:
        grant_role(
            user=UserFactory.create(),
            role=Role.AGENT,
            jurisdiction=youyang,
            unit=dazu.units.get(code="zjw"),
            by=None,
        )
    assert "其他辖区" in str(exc.value)


@pytest.mark.django_db
def test_a_person_may_hold_several_roles_in_one_jurisdiction(youyang):
    user = UserFactory.create()
    gzj = youyang.units.get(code="gzj")
    grant_role(user=user, role=Role.COORDINATOR, jurisdiction=youyang, unit=gzj, by=None)
    grant_role(user=user, role=Role.AGENT, jurisdiction=youyang, unit=gzj, by=None)
    again = grant_role(user=user, role=Role.AGENT, jurisdiction=youyang, unit=gzj, by=None)
    assert RoleAssignment.objects.filter(user=user).count() == 2
    assert again.role == Role.AGENT


@pytest.mark.django_db
def test_administrator_role_opens_and_closes_the_admin(youyang):
    user = UserFactory.create()
    assignment = grant_role(user=user, role=Role.ADMINISTRATOR, jurisdiction=youyang, by=None)
    user.refresh_from_db()
    assert user.is_staff
    revoke_role(assignment=assignment, by=None)
    user.refresh_from_db()
    assert not user.is_staff
    assert not has_role(user, Role.ADMINISTRATOR)
    with pytest.raises(ValidationError):
        revoke_role(assignment=assignment, by=None)
