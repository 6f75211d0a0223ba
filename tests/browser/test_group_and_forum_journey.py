"""Issue #15 journey: 大足's 专项小组办公室 files a unit's replacement (替补) in the working group, sees the
roster's history (desktop, then phone); 酉阳's reform office records a 会议座谈 on a phone and raises an
opinion onto the 问题清单 (desktop)."""

import pytest
from django.urls import reverse

from daiban.organizations.models import Unit, User, WorkingGroup, WorkingGroupChange, WorkingGroupMember
from daiban.oversight.models import CoordinationIssue, Forum

from .demo_park import demo_park
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_replacement_filed_and_forum_opinion_raised(live_server, desktop, phone, shoot):
    demo_park()
    base = live_server.url
    group = WorkingGroup.objects.get(jurisdiction__code="500111")
    seat = WorkingGroupMember.objects.get(group=group, user__username="dz-agent", left_on__isnull=True)
    replacement = User.objects.get(username="dz-coord-zjw")
    page_url = base + reverse("organizations:working_group_detail", args=[group.pk])

    sign_in(desktop, base, "dz-supervisor")
    desktop.goto(page_url)
    desktop.click("#file-replacement summary")
    desktop.select_option("select[name=leaving]", str(seat.pk))
    desktop.select_option("select[name=replacement]", str(replacement.pk))
    desktop.fill("input[name=filed_on]", "2026-11-02")
    desktop.fill("input[name=reason]", "工作调动，住建委指定替补")
    desktop.click("button[name=file]")
    desktop.wait_for_selector(".msg-success")
    change = WorkingGroupChange.objects.get(
        group=group, kind=WorkingGroupChange.Kind.REPLACED, member_out=seat
    )
    assert change.member_in is not None and change.member_in.user == replacement
    assert desktop.locator("#roster-history").inner_text().count("工作调动，住建委指定替补") == 1
    shoot(desktop, "group-1-replacement-filed")

    sign_in(phone, base, "dz-supervisor")
    phone.goto(page_url)
    assert "原成员" in phone.content() and seat.user.display_name in phone.content()
    shoot(phone, "group-2-roster-history-phone")

    sign_in(phone, base, "yy-supervisor")
    phone.goto(base + reverse("oversight:forum_create"))
    phone.fill("input[name=held_on]", "2026-11-20")
    phone.fill("input[name=place]", "县政务服务中心五楼会议室")
    phone.fill("input[name=host]", "县工改办主任")
    phone.fill("textarea[name=enterprises]", "重庆某某建设有限公司")
    phone.fill("textarea[name=attendees]", "企业代表3人")
    phone.fill("textarea[name=opinions]", "施工许可材料要求前后不一致，希望统一\n联合验收预约时间太长")
    phone.click("button[name=forum]")
    phone.wait_for_selector(".msg-success")
    forum = Forum.objects.get()
    shoot(phone, "forum-1-recorded-phone")

    sign_in(desktop, base, "yy-supervisor")
    desktop.goto(base + reverse("oversight:forum_detail", args=[forum.pk]))
    opinion = forum.opinions.get(position=1)
    zjw = Unit.objects.get(jurisdiction__code="500242", code="zjw")
    desktop.select_option(f"#unit-{opinion.pk}", str(zjw.pk))
    desktop.click(f"#opinion-{opinion.pk} button")
    desktop.wait_for_selector(".msg-success")
    issue = CoordinationIssue.objects.get(forum_opinion=opinion)
    assert issue.unit == zjw and "施工许可材料" in desktop.content()
    shoot(desktop, "forum-2-opinion-on-issue-list")
