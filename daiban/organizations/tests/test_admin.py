import datetime as dt

import pytest
from django.urls import reverse

from daiban.common.models import AuditEntry
from daiban.organizations.models import Role, Unit
from daiban.organizations.tests.factories import UserFactory


@pytest.mark.django_db
def test_jurisdiction_administrator_sees_only_its_own_units(client, youyang, dazu, make_staff):
    admin_user = make_staff(Role.ADMINISTRATOR, youyang)
    client.force_login(admin_user)
    response = client.get(reverse("admin:organizations_unit_changelist"), {"kind__exact": "department"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "酉阳自治县住房和城乡建设委员会" in text
    assert "重庆市大足区住房和城乡建设委员会" not in text
    dz_unit = dazu.units.get(code="zjw")
    assert client.get(reverse("admin:organizations_unit_change", args=[dz_unit.pk])).status_code == 302


@pytest.mark.django_db
def test_admin_edits_are_audited(client, youyang, make_staff):
    admin_user = make_staff(Role.ADMINISTRATOR, youyang)
    client.force_login(admin_user)
    unit = youyang.units.get(code="cgj")
    data = {
        "jurisdiction": youyang.pk,
        "kind": unit.kind,
        "code": unit.code,
        "name": unit.name,
        "short_name": "县城管局",
        "position": unit.position,
        "is_active": "on",
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
        "windows-TOTAL_FORMS": "0",
        "windows-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:organizations_unit_change", args=[unit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(verb="unit.changed_in_admin")
    assert entry.actor == admin_user
    assert entry.before is not None and entry.after is not None
    assert entry.before["short_name"] == "县城市管理局"
    assert entry.after["short_name"] == "县城管局"
    assert Unit.objects.get(pk=unit.pk).short_name == "县城管局"


@pytest.mark.django_db
def test_other_roles_get_no_admin(client, youyang, make_staff):
    client.force_login(make_staff(Role.SUPERVISOR, youyang, "gaiban"))
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_administrator_adds_a_section_through_the_inline(client, youyang, make_staff):
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    unit = youyang.units.get(code="cgj")
    data = {
        "jurisdiction": youyang.pk,
        "kind": unit.kind,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "position": unit.position,
        "is_active": "on",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-code": "hwk",
        "sections-0-name": "环境卫生科",
        "windows-TOTAL_FORMS": "0",
        "windows-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:organizations_unit_change", args=[unit.pk]), data)
    assert response.status_code == 302
    section = unit.sections.get(code="hwk", name="环境卫生科")
    entry = AuditEntry.objects.get(verb="section.added_in_admin")
    assert (entry.target_id, entry.jurisdiction_code) == (str(section.pk), "500242")


@pytest.mark.django_db
def test_jurisdiction_administrator_looks_up_only_its_own_people(
    client, youyang, dazu, make_staff, dz_project
):
    """People of the administrator's jurisdiction and accounts still without a role or an enterprise (new
    staff to grant a first role); not another county's staff nor its enterprises' users."""
    admin_user = make_staff(Role.ADMINISTRATOR, youyang)
    ours, theirs, fresh = (
        make_staff(Role.AGENT, youyang, "zjw"),
        make_staff(Role.AGENT, dazu, "zjw"),
        UserFactory.create(),
    )
    dz_rep = UserFactory.create()
    dz_project.applicant.representatives.create(user=dz_rep)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:organizations_user_changelist")).content.decode()
    for person, shown in ((ours, True), (fresh, True), (theirs, False), (dz_rep, False)):
        assert (f">{person.username}<" in listing) is shown, person
        status = client.get(reverse("admin:organizations_user_change", args=[person.pk])).status_code
        assert status == (200 if shown else 302), person


@pytest.mark.django_db
def test_the_administrator_no_longer_changes_working_group_members(client, youyang, make_staff):
    """Members change only by a change the group's office files on the group's page (备案): the admin shows
    the group, its members and the filed changes, and refuses to add, change or delete any of them."""
    from daiban.organizations.models import WorkingGroup, WorkingGroupChange, WorkingGroupMember

    admin_user = make_staff(Role.ADMINISTRATOR, youyang)
    ours = WorkingGroup.objects.create(
        jurisdiction=youyang, name="酉阳工作组", office=youyang.units.get(code="gaiban")
    )
    seat = WorkingGroupMember.objects.create(
        group=ours,
        user=admin_user,
        position="member",
        unit=youyang.units.get(code="zjw"),
        joined_on=dt.date(2026, 1, 5),
    )
    client.force_login(admin_user)
    url = reverse("admin:organizations_workinggroupchange_add")
    assert client.get(url).status_code == 403
    change = {"group": ours.pk, "kind": "joined", "reason": "新增成员", "filed_on": "2026-11-02"}
    assert client.post(url, change).status_code == 403
    assert not WorkingGroupChange.objects.exists()
    group_page = reverse("admin:organizations_workinggroup_change", args=[ours.pk])
    page = client.get(group_page)
    assert page.status_code == 200 and 'name="members-0-left_on"' not in page.content.decode()
    # A forged inline edit of the seat saves nothing.
    client.post(
        group_page,
        {
            "name": "酉阳工作组",
            "jurisdiction": youyang.pk,
            "office": ours.office_id,
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "1",
            "members-0-id": seat.pk,
            "members-0-group": ours.pk,
            "members-0-left_on": "2026-11-02",
            "members-0-position": "leader",
        },
    )
    seat.refresh_from_db()
    assert seat.left_on is None and seat.position == "member"
