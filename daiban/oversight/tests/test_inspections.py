import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.notifications.models import Notification
from daiban.organizations.models import Unit
from daiban.oversight.models import Inspection, RequiredAction
from daiban.oversight.services import ActionData, complete_required_action, record_inspection

D = dt.date


def inspect(youyang, by, **changes):
    park, zjw = (
        Unit.objects.get(jurisdiction=youyang, code="gyyq"),
        Unit.objects.get(jurisdiction=youyang, code="zjw"),
    )
    values = {
        "jurisdiction": youyang,
        "held_on": D(2026, 11, 2),
        "units": [park, zjw],
        "inspectors": "县工改办 冉国庆、李明",
        "scope": "第四季度帮代办服务督查",
        "findings": "园区两个项目材料清单未及时更新；住建委审批科回复较慢。",
        "actions": [ActionData(unit=park, action="更新材料清单并报工改办", due_on=D(2026, 11, 13))],
    }
    return record_inspection(by=by, **(values | changes))


@pytest.mark.django_db
def test_supervisor_records_an_inspection_and_the_unit_reports_back(youyang, staff, clock):
    inspection = inspect(youyang, staff["supervisor"])
    assert inspection.units.count() == 2
    action = inspection.actions.get()
    assert Notification.objects.filter(recipient=staff["park_coord"], verb="inspection.action").exists()
    with pytest.raises(ValidationError, match="只有该单位的统筹人员"):
        complete_required_action(action=action, done_on=D(2026, 11, 2), note="", by=staff["zjw_coord"])
    with pytest.raises(ValidationError, match="之间"):
        complete_required_action(action=action, done_on=D(2026, 11, 1), note="", by=staff["park_coord"])
    complete_required_action(action=action, done_on=D(2026, 11, 2), note="已更新", by=staff["park_coord"])
    assert RequiredAction.objects.get().done_on == D(2026, 11, 2)
    assert Notification.objects.filter(recipient=staff["supervisor"], verb="inspection.action_done").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": D(2026, 11, 3)}, "晚于今天"),
        ({"units": []}, "被检查单位"),
        ({"findings": " "}, "请填写此项"),
        ({"actions": "early"}, "不能早于检查"),
    ],
)
def test_bad_inspections_are_refused(youyang, staff, clock, changes, message):
    if changes.get("actions") == "early":
        changes = {
            "actions": [
                ActionData(
                    unit=Unit.objects.get(jurisdiction=youyang, code="zjw"),
                    action="整改",
                    due_on=D(2026, 11, 1),
                )
            ]
        }
    with pytest.raises(ValidationError) as exc:
        inspect(youyang, staff["supervisor"], **changes)
    assert message in " ".join(exc.value.messages)
    assert not Inspection.objects.exists() and not RequiredAction.objects.exists()


@pytest.mark.django_db
def test_inspection_pages_check_role_and_owner(client, youyang, staff, dz_supervisor, clock):
    for wrong in (staff["park_coord"], dz_supervisor):
        with pytest.raises(ValidationError):
            inspect(youyang, wrong)
    inspection = inspect(youyang, staff["supervisor"])
    url = reverse("oversight:inspection_detail", args=[inspection.pk])
    client.force_login(staff["park_agent"])
    assert client.get(url).status_code == 403
    for outsider in (dz_supervisor, staff["town_coord"]):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(staff["park_coord"])
    assert client.get(reverse("oversight:inspection_create")).status_code == 403
    assert "更新材料清单" in client.get(url).content.decode()
    action = inspection.actions.get()
    client.post(
        reverse("oversight:required_action_done", args=[inspection.pk, action.pk]),
        {"done_on": "2026-11-02", "note": "已更新"},
    )
    assert RequiredAction.objects.get().done_on == D(2026, 11, 2)
    client.force_login(staff["supervisor"])
    form = {
        "jurisdiction": youyang.pk,
        "held_on": "2026-11-02",
        "units": [action.unit_id],
        "inspectors": "工改办",
        "scope": "专项督查",
        "findings": "发现若干问题",
        "a0-unit": action.unit_id,
        "a0-action": "限期整改",
    }
    half = client.post(reverse("oversight:inspection_create"), form)
    assert half.status_code == 400 and Inspection.objects.count() == 1
    assert (
        client.post(reverse("oversight:inspection_create"), form | {"a0-due_on": "2026-11-10"}).status_code
        == 302
    )
    assert Inspection.objects.count() == 2
