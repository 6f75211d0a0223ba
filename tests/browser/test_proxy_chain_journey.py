"""Issue #5 journey: one 代办 request from the visit to the delivery of every item, with a correction round
on one item and a special-procedure clock stop on the other; the pages show the deadlines the engine
computes from the same dates."""

import pytest
from django.utils import timezone

from daiban.cases.models import CaseItem, ClockStop, ServiceRequest
from daiban.cases.services import accept_request, assign_agent
from daiban.organizations.models import Role, Unit
from daiban.organizations.services import create_person, grant_role
from daiban.portal.demo import DEMO_PASSWORD
from daiban.workdays.engine import ClockStop as Stop
from daiban.workdays.selectors import calendar_for

from .demo_park import demo_park, park_request
from .signin import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}/home/")


def step(page, name):  # type: ignore[no-untyped-def]
    page.click(f"button[name=step][value={name}]")
    page.wait_for_selector(".messages")


def set_up():  # type: ignore[no-untyped-def]
    park = demo_park(calendar_days=200)
    zjw = Unit.objects.get(jurisdiction=park.youyang, code="zjw")
    fire = create_person(username="yy-reviewer-fire", full_name="消防审验员", password=DEMO_PASSWORD, by=None)
    grant_role(
        user=fire,
        role=Role.SECTION_REVIEWER,
        jurisdiction=park.youyang,
        unit=zjw,
        section=zjw.sections.get(code="xfk"),
        by=None,
    )
    request = park_request(park, ["fire-design-review", "construction-permit"])
    accept_request(request=request, by=park.coordinator)
    for item in request.items.all():
        assign_agent(item=item, agent=park.agent, by=park.coordinator)
    return request


def test_visit_to_delivery_with_a_correction_and_a_clock_stop(live_server, phone, desktop, shoot):
    request = set_up()
    base = live_server.url
    today = timezone.localdate()
    calendar = calendar_for("500242")
    permit = request.items.get(approval_item__code="construction-permit")
    fire = request.items.get(approval_item__code="fire-design-review")
    item_url = lambda item: f"{base}/requests/{request.pk}/items/{item.pk}/"  # noqa: E731

    # The agent visits the applicant on a phone and records it.
    sign_in(phone, base, "yy-agent-park")
    phone.goto(f"{base}/requests/{request.pk}/")
    phone.click("text=登记上门受理")
    phone.fill("input[name=place]", "企业办公室")
    phone.fill("input[name=people_met]", "向美玲（项目经理）")
    phone.click("button[name=visit]")
    phone.wait_for_selector("text=上门受理已登记")
    shoot(phone, "chain-01-visit")

    # Materials, readiness and filing for each item.
    for n, item in enumerate((permit, fire), start=1):
        phone.goto(item_url(item))
        step(phone, "start_collecting")
        if n == 1:  # the whole checklist in one form: each line chosen, one save
            for line_id in item.checklist.values_list("id", flat=True):
                phone.select_option(f"#line-{line_id} select[name=line{line_id}-status]", "received")
            phone.click("button[name=save_checklist]")
        else:  # 全部收齐 in one click
            phone.click("button[name=all_received]")
        phone.wait_for_selector(".messages")
        assert set(item.checklist.values_list("status", flat=True)) == {"received"}
        step(phone, "mark_ready")
        phone.fill("input[name=external_ref]", f"500242-GG-{n:06d}")
        step(phone, "file")
        deadline = calendar.deadline(today, item.time_limit_days)
        assert f"期限 {deadline}" in phone.content(), deadline
    shoot(phone, "chain-02-filed")

    # The housing commission's reviewers: a correction for the permit, expert review for the fire design.
    sign_in(desktop, base, "yy-reviewer")
    desktop.goto(item_url(permit))
    step(desktop, "start_review")
    desktop.fill("textarea[name=note]", "施工合同缺少签章页，请补正")
    step(desktop, "request_correction")
    assert "计时暂停：补正" in desktop.content()
    shoot(desktop, "chain-03-correction")
    sign_in(desktop, base, "yy-reviewer-fire")
    desktop.goto(item_url(fire))
    desktop.select_option("select[name=kind]", "expert_review")
    desktop.click("text=暂停计时")
    desktop.wait_for_selector("text=计时暂停：专家评审")
    desktop.click("form.assign button:has-text('结束')")
    desktop.wait_for_selector("text=恢复计时")
    stop = ClockStop.objects.get(case_item=fire)
    expected = calendar.deadline(today, 10, [Stop(stop.start_on, stop.end_on)])
    assert f"期限 {expected}" in desktop.content()
    shoot(desktop, "chain-04-expert-review")

    # The agent resubmits the corrected materials; the stop pushes the deadline as the engine says.
    sign_in(phone, base, "yy-agent-park")
    phone.goto(item_url(permit))
    step(phone, "resubmit")
    correction = ClockStop.objects.get(case_item=permit)
    expected = calendar.deadline(today, 3, [Stop(correction.start_on, correction.end_on)])
    assert f"期限 {expected}" in phone.content()
    assert expected >= calendar.deadline(today, 3)

    # Decisions, pick-up and delivery of every item.
    for reviewer, item in (("yy-reviewer", permit), ("yy-reviewer-fire", fire)):
        sign_in(desktop, base, reviewer)
        desktop.goto(item_url(item))
        desktop.fill("input[name=result_number]", f"500242-{item.pk}")
        desktop.once("dialog", lambda dialog: dialog.accept())  # 批准 asks for a confirmation first
        step(desktop, "approve")
        assert f"500242-{item.pk}" in desktop.inner_text(".result-number")
    sign_in(phone, base, "yy-agent-park")
    for item in (permit, fire):
        phone.goto(item_url(item))
        step(phone, "pick_up")
        phone.select_option("select[name=method]", "in_person")
        phone.fill("input[name=receiver]", "向美玲")
        step(phone, "deliver")
        assert "已送达" in phone.content()
        receipt = phone.request.get(f"{item_url(item)}receipt.pdf")
        assert receipt.status == 200 and receipt.body().startswith(b"%PDF")
    shoot(phone, "chain-05-delivered")
    assert set(CaseItem.objects.filter(request=request).values_list("state", flat=True)) == {"delivered"}

    sign_in(desktop, base, "yy-applicant")
    desktop.goto(f"{base}/requests/{request.pk}/")
    assert desktop.content().count("已送达") >= 2
    shoot(desktop, "chain-06-applicant-view")
    assert (
        ServiceRequest.objects.get(pk=request.pk).state == ServiceRequest.State.COMPLETED
    )  # every item delivered: 办结
