"""Issue #15, dead end "refusals are never delivered": a refused item reaches the agent's home as
待送达不予许可; on its phone the agent records the refusal decision handed over (a date in the future is
refused first, in Chinese, and nothing is saved); the applicant's request page (desktop) then says it was
delivered, and its timeline shows the step. Screenshots of each screen."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from daiban.cases import services as steps
from daiban.cases.models import RefusalNotice
from daiban.cases.services import accept_request, assign_agent
from daiban.cases.tests.chains import file_it

from .demo_park import demo_park, park_request
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "项目选址不符合国土空间规划，依法不予许可"


def test_agent_delivers_the_refusal_and_the_applicant_sees_it(live_server, phone, desktop, shoot):
    park = demo_park()
    today = timezone.localdate()
    request = park_request(park, ["construction-permit"])
    accept_request(request=request, by=park.coordinator)
    item = assign_agent(item=request.items.get(), agent=park.agent, by=park.coordinator)
    item = file_it(item, park.agent, filed_on=today, ref="500242-SG-0099")
    steps.refuse(item=item, decided_on=today, reason=REASON, by=park.reviewer, expected_version=item.version)
    base = live_server.url

    # The agent's home counts the refusal still to be handed over; the count opens the list.
    sign_in(phone, base, park.agent.username)
    phone.goto(f"{base}/")
    tile = phone.locator('a[data-queue="refusal_to_deliver"]')
    assert tile.locator("strong").inner_text() == "1"
    assert "待送达不予许可" in tile.inner_text()
    shoot(phone, "refusal-1-agent-home-phone")
    tile.click()
    phone.wait_for_selector(f"text={request.reference}")
    shoot(phone, "refusal-2-queue-list-phone")

    # On the item: the reason, "not yet delivered", and the form; a future date is refused.
    phone.goto(f"{base}{reverse('cases:item_detail', args=[request.pk, item.pk])}")
    phone.wait_for_selector("#refusal-notice")
    assert REASON in phone.inner_text("#refusal-notice")
    assert "尚未送达企业" in phone.inner_text("#refusal-notice")
    phone.select_option("#refusal-notice select[name=method]", "in_person")
    phone.fill("#refusal-notice input[name=delivered_on]", (today + dt.timedelta(days=2)).isoformat())
    phone.fill("#refusal-notice input[name=recipient]", "张经理")
    phone.click("button[name=deliver_refusal]")
    phone.wait_for_selector("text=日期不能晚于今天")
    assert not RefusalNotice.objects.exists()
    shoot(phone, "refusal-3-future-date-refused-phone")
    phone.fill("#refusal-notice input[name=delivered_on]", today.isoformat())
    phone.fill("#refusal-notice input[name=recipient]", "张经理")
    shoot(phone, "refusal-4-form-phone")
    phone.click("button[name=deliver_refusal]")
    phone.wait_for_selector("text=已登记：不予许可决定书已送达")
    assert "张经理" in phone.inner_text("#refusal-notice")
    shoot(phone, "refusal-5-delivered-phone")
    phone.goto(f"{base}/")
    assert phone.locator('a[data-queue="refusal_to_deliver"] strong').inner_text() == "0"

    # The applicant sees on its request that the decision was delivered, and the step in the timeline.
    sign_in(desktop, base, park.applicant.username)
    desktop.goto(f"{base}{reverse('cases:request_detail', args=[request.pk])}")
    desktop.wait_for_selector(".refusal-delivered")
    assert f"不予许可决定书已于 {today:%Y-%m-%d} 送达" in desktop.inner_text("main")
    assert "不予许可决定书已送达" in desktop.inner_text("ol.timeline")
    shoot(desktop, "refusal-6-applicant-request-desktop")
