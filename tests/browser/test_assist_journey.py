"""Issue #15 journey, 帮办 (assist): the enterprise files its own item with the agent's guidance, sees the
progress stepper move, and takes its e-certificate without a pick-up step; the agent's page says why it
cannot skip the pick-up of a paper result. Phone (the enterprise) and desktop."""

import pytest
from django.utils import timezone

from daiban.cases import services as steps
from daiban.cases.models import CaseItem, ServiceRequest
from daiban.cases.services import RequestData, accept_request, assign_agent, submit_request
from daiban.catalogue.models import ApprovalItem

from .demo_park import demo_park
from .test_proxy_chain_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_assisted_enterprise_files_and_takes_its_e_certificate(live_server, phone, desktop, shoot):
    park = demo_park()
    approval = ApprovalItem.objects.get(jurisdiction=park.youyang, code="construction-permit")
    request = submit_request(
        project=park.project,
        by=park.applicant,
        channel="online",
        data=RequestData(
            mode="assist", approval_items=[approval], consent=True, free_of_charge_acknowledged=True
        ),
    )
    accept_request(request=request, by=park.coordinator)
    item = request.items.get()
    assign_agent(item=item, agent=park.agent, by=park.coordinator)
    item = steps.start_collecting(item=item, by=park.agent, expected_version=item.version)
    for line in item.checklist.all():
        steps.update_checklist_line(line=line, status="received", promised_on=None, note="", by=park.agent)
    item.refresh_from_db()
    steps.mark_ready(item=item, by=park.agent, expected_version=item.version)
    base = live_server.url
    item_url = f"{base}/requests/{request.pk}/items/{item.pk}/"

    # The enterprise files the item itself, on its phone.
    sign_in(phone, base, park.applicant.username)
    phone.goto(item_url)
    phone.fill("form[action$='/steps/file/'] input[name=external_ref]", "BJ-2026-0042")
    phone.click("button[name=step][value=file]")
    phone.wait_for_selector(".messages")
    item.refresh_from_db()
    assert item.state == CaseItem.State.FILED and item.external_ref == "BJ-2026-0042"
    phone.goto(f"{base}/requests/{request.pk}/")
    assert phone.inner_text(".stepper [aria-current=step]").startswith("跟踪催办")
    shoot(phone, "assist-01-filed-by-the-enterprise")

    # The section approves; the e-certificate goes straight to the enterprise (no pick-up step).
    item = steps.approve(
        item=item, decided_on=timezone.localdate(), by=park.reviewer, expected_version=item.version
    )
    sign_in(desktop, base, park.agent.username)
    desktop.goto(item_url)
    assert desktop.locator("button[name=step][value=deliver]").count() == 1
    shoot(desktop, "assist-02-agent-sees-delivery-offered")
    sign_in(phone, base, park.applicant.username)
    phone.goto(item_url)
    phone.select_option("form[action$='/steps/deliver/'] select[name=method]", "e_certificate")
    phone.click("button[name=step][value=deliver]")
    phone.wait_for_selector(".messages")
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.state == CaseItem.State.DELIVERED and item.picked_up_on is None
    assert request.state == ServiceRequest.State.COMPLETED
    phone.goto(f"{base}/requests/{request.pk}/")
    assert phone.inner_text(".stepper [aria-current=step]").startswith("事后评价")
    shoot(phone, "assist-03-e-certificate-delivered")
