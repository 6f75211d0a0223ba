"""会议座谈: the reform office records a forum with enterprises and raises an opinion onto the 问题清单
through the issue service; bad input is refused in Chinese with nothing saved; other roles and counties
get nothing."""

import pytest
from django.urls import reverse

from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.organizations.models import Unit
from daiban.oversight.models import CoordinationIssue, Forum, ForumOpinion

GOOD = {
    "held_on": "2026-10-28",
    "place": "县政务服务中心五楼会议室",
    "host": "县工改办主任",
    "enterprises": "重庆某某建设有限公司\n某某食品有限公司",
    "attendees": "企业代表3人，住建委、规资局各1人",
    "opinions": "施工许可材料要求前后不一致，希望统一\n\n联合验收预约时间太长",
}


def chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.django_db
def test_a_forum_is_recorded_and_an_opinion_raised_onto_the_issue_list(client, youyang, staff, clock):
    supervisor = staff["supervisor"]
    client.force_login(supervisor)
    response = client.post(reverse("oversight:forum_create"), GOOD | {"jurisdiction": youyang.pk})
    forum = Forum.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "oversight:forum_detail", args=[forum.pk]
    )
    assert [o.text for o in forum.opinions.all()] == [
        "施工许可材料要求前后不一致，希望统一",
        "联合验收预约时间太长",
    ]
    assert AuditEntry.objects.filter(verb=AuditVerb.FORUM_RECORDED).count() == 1
    page = client.get(reverse("oversight:forum_detail", args=[forum.pk])).content.decode()
    assert ("联合验收预约时间太长" in page and "列入问题清单" in page) or "问题清单" in page
    opinion = forum.opinions.get(position=1)
    zjw = Unit.objects.get(jurisdiction=youyang, code="zjw")
    response = client.post(reverse("oversight:opinion_raise", args=[forum.pk, opinion.pk]), {"unit": zjw.pk})
    issue = CoordinationIssue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "oversight:issue_detail", args=[issue.pk]
    )
    assert issue.unit == zjw and issue.raised_by == supervisor and issue.title.startswith("施工许可材料")
    assert "2026-10-28" in issue.description and forum.place in issue.description
    opinion.refresh_from_db()
    assert opinion.issue == issue
    assert (
        AuditEntry.objects.filter(verb=AuditVerb.ISSUE_RAISED).count() == 1
    )  # the issue service's own entry
    # Once only.
    response = client.post(reverse("oversight:opinion_raise", args=[forum.pk, opinion.pk]), {"unit": zjw.pk})
    assert response.status_code == 400 and CoordinationIssue.objects.count() == 1
    page = client.get(reverse("oversight:issue_list")).content.decode()
    assert "施工许可材料" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"held_on": "2099-01-01"},
        {"held_on": "昨天"},
        {"place": ""},
        {"opinions": "\n \n"},
        {"opinions": "长" * 2001},
        {"jurisdiction": "999999"},
    ],
)
def test_bad_forums_are_refused_in_chinese_and_nothing_saved(client, youyang, staff, clock, change):
    client.force_login(staff["supervisor"])
    response = client.post(reverse("oversight:forum_create"), GOOD | {"jurisdiction": youyang.pk} | change)
    assert response.status_code == 400 and chinese(response.content.decode())
    assert not Forum.objects.exists() and not ForumOpinion.objects.exists()


@pytest.mark.django_db
def test_raising_needs_a_unit_of_the_forums_county(client, youyang, dazu, staff, clock):
    client.force_login(staff["supervisor"])
    client.post(reverse("oversight:forum_create"), GOOD | {"jurisdiction": youyang.pk})
    forum = Forum.objects.get()
    opinion = forum.opinions.get(position=1)
    url = reverse("oversight:opinion_raise", args=[forum.pk, opinion.pk])
    for unit in (
        "",
        "999999",
        str(dazu.units.get(code="jzxk-office").pk),
        str(Unit.objects.get(jurisdiction=youyang, code="gaiban").pk),
    ):
        response = client.post(url, {"unit": unit})
        assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not CoordinationIssue.objects.exists()


@pytest.mark.django_db
def test_other_roles_and_counties_get_nothing(client, youyang, staff, dz_supervisor, clock):
    client.force_login(staff["supervisor"])
    client.post(reverse("oversight:forum_create"), GOOD | {"jurisdiction": youyang.pk})
    forum = Forum.objects.get()
    opinion = forum.opinions.get(position=1)
    client.force_login(dz_supervisor)
    assert client.get(reverse("oversight:forum_detail", args=[forum.pk])).status_code == 404
    assert (
        client.post(
            reverse("oversight:opinion_raise", args=[forum.pk, opinion.pk]), {"unit": "1"}
        ).status_code
        == 404
    )
    assert forum.pk not in [f.pk for f in client.get(reverse("oversight:forum_list")).context["page"]]
    client.force_login(staff["park_agent"])
    assert client.get(reverse("oversight:forum_list")).status_code == 403
    assert (
        client.post(reverse("oversight:forum_create"), GOOD | {"jurisdiction": youyang.pk}).status_code == 403
    )
    assert Forum.objects.count() == 1
