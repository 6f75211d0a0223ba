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
def test_administrator_files_working_group_changes_only_in_its_own_jurisdiction(
    client, youyang, dazu, make_staff
):
    from daiban.organizations.models import WorkingGroup, WorkingGroupChange

    admin_user = make_staff(Role.ADMINISTRATOR, youyang)
    ours = WorkingGroup.objects.create(
        jurisdiction=youyang, name="酉阳工作组", office=youyang.units.get(code="gaiban")
    )
    theirs = WorkingGroup.objects.create(
        jurisdiction=dazu, name="大足工作组", office=dazu.units.get(code="jzxk-office")
    )
    client.force_login(admin_user)
    url = reverse("admin:organizations_workinggroupchange_add")
    form = client.get(url).content.decode()
    assert "酉阳工作组" in form and "大足工作组" not in form
    change = {"kind": "joined", "reason": "新增成员", "filed_on": "2026-11-02", "filed_by": admin_user.pk}
    assert client.post(url, change | {"group": theirs.pk}).status_code == 200  # the form refuses the choice
    assert not WorkingGroupChange.objects.exists()
    assert client.post(url, change | {"group": ours.pk}).status_code == 302
    assert WorkingGroupChange.objects.get().group == ours
