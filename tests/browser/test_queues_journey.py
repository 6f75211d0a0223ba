"""Issue #15 daily work: the coordinator's home opens on its queues, a count opens the list filtered the
same way, the list is searched and exported to Excel; on the request, one agent takes every item at once.
On a desktop and on a phone, with screenshots."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from daiban.cases.models import CaseItem
from daiban.cases.services import accept_request

from .demo_park import demo_park, park_request
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_queue_to_filtered_list_and_export(live_server, desktop, phone, shoot):
    park = demo_park()
    waiting = park_request(park, ["construction-permit", "fire-design-review"])
    base = live_server.url
    sign_in(desktop, base, park.coordinator.username)
    desktop.goto(f"{base}/")
    tile = desktop.locator('a[data-queue="to_accept"]')
    assert tile.locator("strong").inner_text() == "1"
    assert "待受理" in tile.inner_text()
    shoot(desktop, "queues-1-coordinator-home-desktop")
    tile.click()
    desktop.wait_for_selector(f"text={waiting.reference}")
    assert "queue=to_accept" in desktop.url
    assert desktop.locator("#list-queue").input_value() == "to_accept"
    desktop.fill("#list-q", waiting.project.name)
    desktop.click("form.list-filters button")
    desktop.wait_for_url("**q=*")
    assert desktop.locator("table tbody tr").count() == 1
    shoot(desktop, "queues-2-filtered-list-desktop")
    with desktop.expect_download() as download:
        desktop.click("text=导出Excel")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [waiting.reference]

    sign_in(phone, base, park.coordinator.username)
    phone.goto(f"{base}/")
    phone.click('a[data-queue="to_accept"]')
    phone.wait_for_selector(f"text={waiting.reference}")
    shoot(phone, "queues-3-filtered-list-phone")


def test_bulk_assignment(live_server, desktop, phone, shoot):
    park = demo_park()
    request = park_request(park, ["construction-permit", "fire-design-review"])
    accept_request(request=request, by=park.coordinator)
    base = live_server.url
    sign_in(desktop, base, park.coordinator.username)
    desktop.goto(f"{base}{reverse('cases:request_detail', args=[request.pk])}")
    desktop.wait_for_selector("#bulk-assign[open]")
    assert desktop.locator("#bulk-assign input[type=checkbox]:checked").count() == 2
    desktop.select_option("#id_bulk-agent", str(park.agent.pk))
    shoot(desktop, "queues-4-bulk-assign-desktop")
    desktop.click("button[name=bulk_assign]")
    desktop.wait_for_selector(f"text=所选事项已分派给 {park.agent.display_name}")
    assert set(CaseItem.objects.filter(request=request).values_list("agent_id", flat=True)) == {park.agent.pk}
    shoot(desktop, "queues-5-bulk-assigned-desktop")

    sign_in(phone, base, park.coordinator.username)
    phone.goto(f"{base}{reverse('cases:request_detail', args=[request.pk])}")
    phone.click("#bulk-assign summary")
    shoot(phone, "queues-6-bulk-assign-phone")
