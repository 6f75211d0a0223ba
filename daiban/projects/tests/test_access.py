"""Authorization by role and by object: the wrong role and the wrong owner get nothing."""

import pytest
from django.urls import reverse

from daiban.organizations.models import Role
from daiban.organizations.selectors import people_visible_to, units_visible_to
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.selectors import applicants_visible_to, projects_visible_to
from daiban.projects.tests.factories import ProjectFactory


@pytest.mark.django_db
def test_a_youyang_user_sees_nothing_of_dazu(yy_supervisor, dz_supervisor, yy_project, dz_project, client):
    assert list(projects_visible_to(yy_supervisor)) == [yy_project]
    assert list(applicants_visible_to(yy_supervisor)) == [yy_project.applicant]
    assert not units_visible_to(yy_supervisor).filter(jurisdiction__code="500111").exists()
    assert dz_supervisor not in people_visible_to(yy_supervisor)
    client.force_login(yy_supervisor)
    assert client.get(reverse("projects:project_detail", args=[dz_project.pk])).status_code == 404
    listing = client.get(reverse("projects:project_list")).content.decode()
    assert yy_project.name in listing and dz_project.name not in listing
    units = client.get(reverse("organizations:unit_list")).content.decode()
    assert "酉阳" in units and "大足" not in units


@pytest.mark.django_db
def test_city_supervisor_spans_its_districts(city, youyang, dazu, yy_project, dz_project, make_staff):
    city_supervisor = make_staff(Role.SUPERVISOR, city)
    assert set(projects_visible_to(city_supervisor)) == {yy_project, dz_project}


@pytest.mark.django_db
def test_applicant_sees_only_its_own_enterprise(client, applicant_user, yy_project, youyang):
    other = ProjectFactory.create(applicant__jurisdiction=youyang)
    assert list(projects_visible_to(applicant_user)) == [yy_project]
    client.force_login(applicant_user)
    assert client.get(reverse("projects:project_detail", args=[yy_project.pk])).status_code == 200
    assert client.get(reverse("projects:project_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("projects:project_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("projects:applicant_edit", args=[other.applicant.pk])).status_code == 404
    before = other.name
    client.post(reverse("projects:project_edit", args=[other.pk]), {"name": "hijacked"})
    other.refresh_from_db()
    assert other.name == before


@pytest.mark.django_db
def test_staff_cannot_edit_an_enterprise_they_do_not_represent(client, yy_supervisor, yy_project):
    client.force_login(yy_supervisor)
    assert client.get(reverse("projects:project_edit", args=[yy_project.pk])).status_code == 403
    assert client.get(reverse("projects:applicant_edit", args=[yy_project.applicant.pk])).status_code == 403


STAFF_PAGES: list[tuple[str, list[int]]] = [("projects:project_list", []), ("organizations:unit_list", [])]
APPLICANT_PAGES: list[tuple[str, list[int]]] = [
    ("projects:my_enterprises", []),
    ("projects:project_create", []),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_staff_pages_refuse_applicants_and_strangers(client, applicant_user, name, args):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(applicant_user)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory.create())  # signed in, no role at all
    assert client.get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), APPLICANT_PAGES)
def test_applicant_pages_refuse_staff(client, yy_supervisor, name, args):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302
    client.force_login(yy_supervisor)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_representing_an_enterprise_is_what_makes_an_applicant(client, yy_project):
    user = UserFactory.create()
    client.force_login(user)
    assert client.get(reverse("projects:my_enterprises")).status_code == 403
    ApplicantRepresentative.objects.create(applicant=yy_project.applicant, user=user)
    assert client.get(reverse("projects:my_enterprises")).status_code == 200


@pytest.mark.django_db
def test_working_group_roster_is_scoped(client, yy_supervisor, dz_supervisor, dazu):
    from daiban.organizations.models import WorkingGroup

    group = WorkingGroup.objects.create(
        jurisdiction=dazu, name="工作组", office=dazu.units.get(code="jzxk-office")
    )
    url = reverse("organizations:working_group_detail", args=[group.pk])
    client.force_login(yy_supervisor)
    assert client.get(url).status_code == 404
    client.force_login(dz_supervisor)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["yy", "dz"])
def test_the_project_page_names_its_own_district_or_county(side, request, client):
    """A county is 县 and a district 区: the page names "大足区" or "酉阳…自治县", never a fixed 县级."""
    supervisor = request.getfixturevalue(f"{side}_supervisor")
    project = request.getfixturevalue(f"{side}_project")
    assert not project.in_park  # a park project's page names the park committee instead
    client.force_login(supervisor)
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert f"本项目由{project.jurisdiction.name}审批服务职能部门" in page
    assert "县级" not in page
