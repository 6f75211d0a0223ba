import pytest
from django.urls import reverse

from daiban.organizations.models import User
from daiban.projects.models import Applicant, Project
from daiban.projects.tests.factories import ProjectFactory, valid_uscc


def sign_up_form(youyang, **overrides):
    data = {
        "jurisdiction": youyang.pk,
        "name": "重庆某某建材有限公司",
        "uscc": valid_uscc(42),
        "contact_name": "赵六",
        "contact_mobile": "139 0834 0099",
        "full_name": "赵六",
        "username": "zhaoliu",
        "password1": "Strong-pass-2026",
        "password2": "Strong-pass-2026",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_sign_up_registers_enterprise_and_signs_in(client, youyang):
    response = client.post(reverse("sign_up"), sign_up_form(youyang))
    assert response.status_code == 302
    applicant = Applicant.objects.get()
    assert applicant.contact_mobile == "13908340099"
    assert applicant.representatives.get().user.username == "zhaoliu"
    assert "重庆某某建材有限公司" in client.get(reverse("projects:my_enterprises")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"uscc": "91500242MA60000A0X"}, "统一社会信用代码校验位不正确"),
        ({"uscc": "123"}, "统一社会信用代码应为18位"),
        ({"contact_mobile": "0237555123"}, "请输入11位手机号码"),
        ({"password2": "other-pass-2026"}, "两次输入的密码不一致"),
        ({"consent": ""}, "这个字段是必填项"),
    ],
)
def test_sign_up_bad_input_is_refused_in_chinese(client, youyang, overrides, message):
    response = client.post(reverse("sign_up"), sign_up_form(youyang, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()
    assert not Applicant.objects.exists()


def project_form(location, **overrides):
    data = {
        "name": "冷链仓储中心",
        "project_code": "2026-500242-59-03-000901",
        "kind": "new",
        "location": location.pk,
        "address": "龙潭镇",
        "investment_amount": "2500",
        "land_area": "12000",
        "floor_area": "9000",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_applicant_registers_a_project(client, applicant_user, youyang):
    client.force_login(applicant_user)
    location = youyang.units.get(code="township-003")
    response = client.post(reverse("projects:project_create"), project_form(location))
    project = Project.objects.get(project_code="2026-500242-59-03-000901")
    assert response.status_code == 302
    assert project.applicant == applicant_user.represents.get().applicant


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"project_code": "2026-500242-59-01-000901"}, "02（核准）或03（备案）"),
        ({"project_code": "P-1"}, "项目代码格式应为"),
        ({"investment_amount": "-5"}, "大于或等于0"),
        ({"kind": "x"}, "选择一个有效的选项"),
    ],
)
def test_bad_project_input_is_refused_in_chinese(client, applicant_user, youyang, overrides, message):
    client.force_login(applicant_user)
    count = Project.objects.count()
    response = client.post(
        reverse("projects:project_create"), project_form(youyang.units.get(code="gyyq"), **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Project.objects.count() == count


@pytest.mark.django_db
def test_applicant_cannot_place_a_project_in_another_jurisdiction(client, applicant_user, youyang, dazu):
    client.force_login(applicant_user)
    count = Project.objects.count()
    response = client.post(reverse("projects:project_create"), project_form(dazu.units.get(code="gxq")))
    assert response.status_code == 200
    assert Project.objects.count() == count


@pytest.mark.django_db
def test_project_list_query_count_does_not_grow(client, yy_supervisor, youyang, django_assert_num_queries):
    client.force_login(yy_supervisor)
    ProjectFactory.create_batch(3, applicant__jurisdiction=youyang)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("projects:project_list")).status_code == 200
    ProjectFactory.create_batch(30, applicant__jurisdiction=youyang)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("projects:project_list"))
    assert response.content.decode().count("/projects/") >= 25
    assert len(many) == len(few)
    assert len(many) <= 10


@pytest.mark.django_db
def test_htmx_search_returns_only_the_rows(client, yy_supervisor, yy_project):
    client.force_login(yy_supervisor)
    response = client.get(reverse("projects:project_list"), {"q": yy_project.name}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert yy_project.name in text
    assert "<html" not in text
