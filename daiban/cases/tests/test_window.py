import pytest
from django.urls import reverse

from daiban.cases.models import ServiceRequest
from daiban.organizations.models import Window
from daiban.projects.models import Applicant, Project
from daiban.projects.tests.factories import valid_uscc


def window_form(youyang, items, **overrides):
    values = {
        "window": Window.objects.get(service_centre__jurisdiction=youyang, code="bdb-1").pk,
        "name": "酉阳县花田贡米有限公司",
        "uscc": valid_uscc(9001),
        "contact_name": "田秀英",
        "contact_mobile": "13508341234",
        "address": "花田乡",
        "project_name": "贡米仓储加工项目",
        "project_code": "2026-500242-13-03-000888",
        "kind": "new",
        "location": youyang.units.get(name="花田乡").pk,
        "project_address": "花田乡何家岩村",
        "investment_amount": "900",
        "land_area": "6000",
        "floor_area": "4200",
        "mode": "proxy",
        "approval_items": [i.pk for i in items],
        "consent": "on",
        "free_of_charge_acknowledged": "on",
    }
    values.update(overrides)
    return values


@pytest.mark.django_db
def test_clerk_registers_a_walk_in_request(client, youyang, items, staff):
    client.force_login(staff["clerk"])
    assert "窗口登记申请" in client.get(reverse("cases:window_request_create")).content.decode()
    response = client.post(reverse("cases:window_request_create"), window_form(youyang, items))
    assert response.status_code == 302, response.content.decode()[:3000]
    request = ServiceRequest.objects.get()
    assert request.channel == ServiceRequest.Channel.WINDOW
    assert request.window is not None and request.window.code == "bdb-1"
    assert request.project.address == "花田乡何家岩村"
    assert request.applicant.name == "酉阳县花田贡米有限公司"
    assert request.locality.name == "花田乡"
    # The clerk sees requests taken at its centre.
    assert client.get(reverse("cases:request_detail", args=[request.pk])).status_code == 200


@pytest.mark.django_db
def test_a_known_enterprise_and_project_are_reused(client, youyang, items, staff):
    client.force_login(staff["clerk"])
    client.post(reverse("cases:window_request_create"), window_form(youyang, items[:1]))
    client.post(reverse("cases:window_request_create"), window_form(youyang, items[1:]))
    assert Applicant.objects.count() == 1
    assert Project.objects.count() == 1
    assert ServiceRequest.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"uscc": "91500242MA60000A0X"}, "统一社会信用代码校验位不正确"),
        ({"contact_mobile": "12345"}, "请输入11位手机号码"),
        ({"project_code": "2026-500242-13-01-000888"}, "02（核准）或03（备案）"),
        ({"approval_items": []}, "请至少选择一个审批事项"),
    ],
)
def test_bad_walk_in_input_saves_nothing(client, youyang, items, staff, overrides, message):
    client.force_login(staff["clerk"])
    response = client.post(reverse("cases:window_request_create"), window_form(youyang, items, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Applicant.objects.exists()
    assert not Project.objects.exists()
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_a_project_code_of_another_enterprise_is_refused_and_nothing_is_left(client, youyang, items, staff):
    client.force_login(staff["clerk"])
    client.post(reverse("cases:window_request_create"), window_form(youyang, items[:1]))
    response = client.post(
        reverse("cases:window_request_create"),
        window_form(youyang, items[1:], uscc=valid_uscc(9002), name="别家公司"),
    )
    assert "该项目代码属于其他企业" in response.content.decode()
    assert Applicant.objects.count() == 1  # the other enterprise was not half-registered
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_clerk_cannot_use_another_centres_window(client, youyang, dazu, items, staff):
    client.force_login(staff["clerk"])
    dz_window = Window.objects.get(service_centre__jurisdiction=dazu)
    response = client.post(
        reverse("cases:window_request_create"), window_form(youyang, items, window=dz_window.pk)
    )
    assert response.status_code == 200
    assert not ServiceRequest.objects.exists()
