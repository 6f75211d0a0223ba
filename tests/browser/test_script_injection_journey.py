"""Issue #17: names typed by people (an approval item, a project, a unit, an agent) reach the chart
libraries as data. frappe-gantt writes names with innerHTML and ECharts' tooltips are HTML, so a name that
is markup must show as text and never run — checked in a real browser with a payload that would open a
dialog."""

import datetime as dt

import pytest
from django.utils import timezone

from daiban.cases.services import accept_request, assign_agent
from daiban.cases.tests.chains import file_it
from daiban.catalogue.models import ApprovalItem
from daiban.organizations.models import Unit

from .demo_park import demo_park, park_request
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = "<img src=x onerror=alert(1)>"


def watch_for_script(page):  # type: ignore[no-untyped-def]
    """Record every dialog the page opens (the payload's alert) and dismiss it."""
    opened: list[str] = []

    def on_dialog(dialog):  # type: ignore[no-untyped-def]
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def test_names_in_the_gantt_chart_are_text(live_server, desktop, shoot):
    park = demo_park()
    item = ApprovalItem.objects.get(jurisdiction=park.youyang, code="project-filing")
    item.name = f"备案{PAYLOAD}"
    item.save(update_fields=["name"])
    park.project.name = f"项目{PAYLOAD}"
    park.project.save(update_fields=["name"])
    request = park_request(park, ["project-filing", "construction-permit"])
    opened = watch_for_script(desktop)
    sign_in(desktop, live_server.url, "yy-applicant")
    desktop.goto(f"{live_server.url}/plans/requests/{request.pk}/")
    desktop.wait_for_selector("#gantt svg .bar-wrapper")
    label = desktop.locator("#gantt .bar-label", has_text="备案").first
    assert label.text_content() == f"备案{PAYLOAD}"  # shown as text
    desktop.locator("#gantt .bar-wrapper", has_text="备案").locator(".bar").first.click()
    desktop.wait_for_selector("#gantt .popup-wrapper .title")
    assert desktop.inner_text("#gantt .popup-wrapper .title") == f"备案{PAYLOAD}"  # the popup's title
    assert "Progress" not in desktop.inner_text("#gantt .popup-wrapper")  # the library's English words
    desktop.wait_for_timeout(300)
    assert desktop.locator("main img").count() == 0
    assert opened == []
    shoot(desktop, "security-01-gantt-names-as-text")


def test_names_in_the_dashboard_tooltips_are_text(live_server, desktop, shoot):
    park = demo_park()
    named = f"园区{PAYLOAD}"
    Unit.objects.filter(pk=park.project.location_id).update(name=named, short_name=named)
    park.agent.full_name = f"专员{PAYLOAD}"
    park.agent.save(update_fields=["full_name"])
    request = park_request(park, ["fire-design-review"], submitted_at=timezone.now() - dt.timedelta(days=40))
    accept_request(request=request, by=park.coordinator)
    item = assign_agent(item=request.items.get(), agent=park.agent, by=park.coordinator)
    file_it(item, park.agent, filed_on=timezone.localdate() - dt.timedelta(days=30))
    opened = watch_for_script(desktop)
    sign_in(desktop, live_server.url, "yy-supervisor")
    desktop.goto(f"{live_server.url}/oversight/dashboard/")
    for chart in ("units", "localities", "workload", "requests"):
        desktop.wait_for_selector(f"#chart-{chart}[data-rendered=true] svg")
        box = desktop.locator(f"#chart-{chart}").bounding_box()
        assert box is not None
        for fx in (0.3, 0.5, 0.7):  # hover across the bars: the tooltip names the unit or the agent
            desktop.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
            desktop.wait_for_timeout(150)
    desktop.wait_for_timeout(300)
    assert desktop.locator("main img").count() == 0
    assert opened == []
    agent_label = desktop.locator("#chart-workload svg text", has_text="专员").first
    assert agent_label.text_content() == f"专员{PAYLOAD}"  # the axis shows the name as text
    shoot(desktop, "security-02-dashboard-names-as-text")
