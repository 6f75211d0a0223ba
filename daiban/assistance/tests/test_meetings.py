import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.assistance.models import CoordinationMeeting, FollowUp
from daiban.assistance.services import FollowUpData, MeetingData, complete_follow_up, record_meeting
from daiban.notifications.models import Notification
from daiban.organizations.models import Unit

D = dt.date


def meeting(youyang, **changes):
    zjw, gzj = (
        Unit.objects.get(jurisdiction=youyang, code="zjw"),
        Unit.objects.get(jurisdiction=youyang, code="gzj"),
    )
    values: dict[str, Any] = {
        "held_on": D(2026, 11, 2),
        "place": "县政务服务中心五楼会议室",
        "departments": [zjw, gzj],
        "participants": "县住建委审批科、县规资局规划科、项目单位",
        "topics": "规划条件与消防退距冲突",
        "decisions": "规资局出具规划条件说明，住建委按说明开展消防设计审查",
        "follow_ups": [FollowUpData(task="出具规划条件说明", owner_unit=gzj, due_on=D(2026, 11, 6))],
    }
    return MeetingData(**(values | changes))


@pytest.mark.django_db
def test_agent_records_a_meeting_and_follow_ups_are_closed(
    dispatched, youyang, staff, rep, make_staff, clock
):
    gzj_coord = make_staff("coordinator", youyang, "gzj")
    m = record_meeting(request=dispatched, data=meeting(youyang), by=staff["park_agent"])
    assert m.departments.count() == 2 and m.follow_ups.count() == 1
    assert Notification.objects.filter(recipient=rep, verb="meeting.recorded").exists()
    assert Notification.objects.filter(recipient=gzj_coord, verb="meeting.follow_up").exists()
    follow_up = m.follow_ups.get()
    with pytest.raises(ValidationError, match="只有本申请"):
        complete_follow_up(follow_up=follow_up, done_on=D(2026, 11, 2), note="", by=staff["zjw_coord"])
    with pytest.raises(ValidationError, match="之间"):
        complete_follow_up(follow_up=follow_up, done_on=D(2026, 11, 3), note="", by=gzj_coord)
    complete_follow_up(follow_up=follow_up, done_on=D(2026, 11, 2), note="说明已出具", by=gzj_coord)
    with pytest.raises(ValidationError, match="已完成"):
        complete_follow_up(follow_up=follow_up, done_on=D(2026, 11, 2), note="", by=staff["park_agent"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": D(2026, 11, 3)}, "晚于今天"),
        ({"held_on": D(2026, 10, 30)}, "早于申请"),
        ({"decisions": " "}, "请填写此项"),
        ({"departments": []}, "参会单位"),
        ({"follow_ups": "early"}, "不能早于会议"),
        ({"departments": "dazu"}, "本区县"),
    ],
)
def test_bad_meetings_are_refused(dispatched, youyang, dazu, staff, clock, changes, message):
    if changes.get("follow_ups") == "early":
        unit = Unit.objects.get(jurisdiction=youyang, code="gzj")
        changes = {"follow_ups": [FollowUpData(task="出具说明", owner_unit=unit, due_on=D(2026, 11, 1))]}
    if changes.get("departments") == "dazu":
        changes = {"departments": [Unit.objects.get(jurisdiction=dazu, code="zjw")]}
    with pytest.raises(ValidationError) as exc:
        record_meeting(request=dispatched, data=meeting(youyang, **changes), by=staff["park_agent"])
    assert message in " ".join(exc.value.messages)
    assert not CoordinationMeeting.objects.exists() and not FollowUp.objects.exists()


@pytest.mark.django_db
def test_meeting_page(client, dispatched, youyang, staff, rep, dz_supervisor, clock):
    url = reverse("assistance:meeting_list", args=[dispatched.pk])
    zjw = Unit.objects.get(jurisdiction=youyang, code="zjw")
    form = {
        "held_on": "2026-11-02",
        "place": "五楼会议室",
        "departments": [zjw.pk],
        "participants": "住建委、企业",
        "topics": "消防审查进度",
        "decisions": "住建委三日内出具意见",
        "f0-task": "出具审查意见",
        "f0-owner_unit": zjw.pk,
        "f0-due_on": "2026-11-05",
    }
    # Wrong owner: another jurisdiction's supervisor, and an agent not on this request.
    client.force_login(dz_supervisor)
    assert client.get(url).status_code == 404
    client.force_login(staff["zjw_agent"])
    assert client.get(url).status_code == 404
    # The applicant reads the meetings but cannot record one.
    client.force_login(rep)
    assert client.get(url).status_code == 200
    assert client.post(url, form).status_code == 403
    client.force_login(staff["park_agent"])
    half = client.post(url, form | {"f1-task": "只填了任务"})
    assert half.status_code == 400 and "跟进事项须填写" in half.content.decode()
    assert not CoordinationMeeting.objects.exists()
    assert client.post(url, form).status_code == 302
    client.force_login(rep)
    assert "住建委三日内出具意见" in client.get(url).content.decode()


@pytest.mark.django_db
def test_follow_up_endpoint_checks_owner(client, dispatched, youyang, staff, dz_supervisor, clock):
    m = record_meeting(request=dispatched, data=meeting(youyang), by=staff["park_agent"])
    follow_up = m.follow_ups.get()
    url = reverse("assistance:follow_up_done", args=[dispatched.pk, follow_up.pk])
    client.force_login(dz_supervisor)  # cannot see the request at all
    assert client.post(url, {"done_on": "2026-11-02"}).status_code == 404
    client.force_login(staff["park_coord"])  # sees the request, does not own the follow-up
    client.post(url, {"done_on": "2026-11-02", "note": "已完成"})
    assert FollowUp.objects.get().done_on is None
    client.force_login(staff["park_agent"])
    client.post(url, {"done_on": "not a date"})
    assert FollowUp.objects.get().done_on is None
    client.post(url, {"done_on": "2026-11-02", "note": "说明已出具"})
    assert FollowUp.objects.get().done_on == D(2026, 11, 2)


@pytest.mark.django_db
def test_the_owning_units_coordinator_reports_the_follow_up_on_the_meetings_page(
    client, dispatched, youyang, staff, make_staff, clock
):
    """The follow-up's owner (规资局, not responsible for the park's items) is notified with a link to the
    meetings: it may open them and report the follow-up done there, yet not the request itself."""
    gzj_coord = make_staff("coordinator", youyang, "gzj")
    m = record_meeting(request=dispatched, data=meeting(youyang), by=staff["park_agent"])
    follow_up = m.follow_ups.get()
    page_url = reverse("assistance:meeting_list", args=[dispatched.pk])
    assert Notification.objects.get(recipient=gzj_coord, verb="meeting.follow_up").url == page_url
    client.force_login(gzj_coord)
    page = client.get(page_url)
    done_url = reverse("assistance:follow_up_done", args=[dispatched.pk, follow_up.pk])
    assert page.status_code == 200 and done_url in page.content.decode()
    assert client.get(reverse("cases:request_detail", args=[dispatched.pk])).status_code == 404
    assert client.post(page_url, {"place": "会议室"}).status_code == 403  # records no meeting
    client.post(done_url, {"done_on": "2026-11-02", "note": "说明已出具"})
    assert FollowUp.objects.get().done_on == D(2026, 11, 2)
    client.force_login(staff["town_coord"])  # owns nothing here
    assert client.get(page_url).status_code == 404
