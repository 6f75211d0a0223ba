"""Issue #14 journey (service levels): a park request waited a week for acceptance; after the daily sweep
the agent sees, on a phone, the promises now running on them in the item deadline colours, and the
supervisor finds the promise counts on the dashboard and opens the promises not yet kept."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from daiban.cases.services import accept_request, assign_agent
from daiban.service_levels.reminders import sweep_promises

from .demo_park import demo_park, park_request
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_promises_on_the_agents_phone_and_the_supervisors_dashboard(live_server, desktop, phone, shoot):
    park = demo_park()
    a_week_ago = timezone.now() - dt.timedelta(days=7)
    request = park_request(park, ["construction-permit"], submitted_at=a_week_ago)
    accept_request(request=request, by=park.coordinator)
    for item in request.items.all():
        assign_agent(item=item, agent=park.agent, by=park.coordinator)
    sweep_promises(today=timezone.localdate())
    base = live_server.url

    sign_in(phone, base, "yy-agent-park")
    phone.goto(base + reverse("service_levels:promises"))
    rows = phone.locator("tr.promise")
    assert rows.count() == 2  # first contact and first visit, both theirs since the assignment today
    assert "首次联系" in rows.first.inner_text() and "首次上门" in rows.nth(1).inner_text()
    assert phone.locator("tr.promise .clock.clock-due_soon, tr.promise .clock.clock-on_time").count() == 2
    shoot(phone, "promises-1-agent-phone")

    sign_in(desktop, base, "yy-supervisor")
    desktop.goto(base + reverse("oversight:dashboard"))
    acceptance = desktop.locator("#promise-acceptance")
    assert acceptance.locator(".clock-late_done").inner_text() == "1"  # accepted a week late
    shoot(desktop, "promises-2-supervisor-dashboard")
    desktop.click("#service-promises a:has-text('尚未兑现的服务承诺')")
    desktop.wait_for_url(base + reverse("service_levels:promises"))
    assert request.reference in desktop.inner_text("main")
    shoot(desktop, "promises-3-supervisor-list")
