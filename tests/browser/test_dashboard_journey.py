"""Issue #7 journey: the supervisor's dashboard draws its charts (vendored ECharts) from real data, on a
desktop and on a phone, and a click on a number opens the list behind it; the city supervisor's view of
every district is drawn from the job's snapshot and says how old it is."""

import datetime as dt

import pytest
from django.utils import timezone

from daiban.cases.services import accept_request, assign_agent
from daiban.cases.tests.chains import deliver_it, file_it
from daiban.feedback.services import evaluate
from daiban.oversight.tasks import city_dashboard_figures

from .demo_park import demo_park, park_request
from .menu import go_via_menu
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def busy_county():  # type: ignore[no-untyped-def]
    """Two park requests: one delivered and rated, one filed long enough ago to be overdue today."""
    park = demo_park()
    today = timezone.localdate()
    for code, decide in (("construction-permit", True), ("fire-design-review", False)):
        request = park_request(park, [code], submitted_at=timezone.now() - dt.timedelta(days=40))
        accept_request(request=request, by=park.coordinator)
        item = assign_agent(item=request.items.get(), agent=park.agent, by=park.coordinator)
        item = file_it(item, park.agent, filed_on=today if decide else today - dt.timedelta(days=30))
        if decide:
            deliver_it(item, park.agent, park.reviewer, decided_on=today)
            evaluate(
                request=request,
                agent=park.agent,
                by=park.applicant,
                attitude=5,
                efficiency=4,
                integrity=5,
                comment="",
            )


def test_supervisor_dashboard_renders_its_charts(live_server, desktop, phone, shoot):
    busy_county()
    base = live_server.url
    sign_in(desktop, base, "yy-supervisor")
    go_via_menu(desktop, "监管看板")
    for chart in ("requests", "stages", "units", "localities", "trend", "satisfaction", "workload"):
        desktop.wait_for_selector(f"#chart-{chart}[data-rendered=true] svg")
    assert desktop.inner_text("#figure-overdue") == "1"
    assert desktop.locator("#chart-units svg path").count() > 0
    shoot(desktop, "dashboard-1-supervisor-desktop")
    sign_in(phone, base, "yy-supervisor")
    phone.goto(f"{base}/oversight/dashboard/")
    phone.wait_for_selector("#chart-workload[data-rendered=true] svg")
    shoot(phone, "dashboard-2-supervisor-phone")
    # One session per staff account: signing in on the phone ended the desktop's session.
    desktop.reload()
    assert "/accounts/login/" in desktop.url
    sign_in(desktop, base, "yy-supervisor")
    desktop.goto(f"{base}/oversight/dashboard/")
    desktop.click("#figure-overdue a")
    desktop.wait_for_selector("text=特殊建设工程消防设计审查")
    assert "超期" in desktop.inner_text("main")
    shoot(desktop, "dashboard-3-drill-down")
    city_dashboard_figures.call_local()  # what the worker runs every 10 minutes
    sign_in(desktop, base, "city-supervisor")
    desktop.goto(f"{base}/oversight/dashboard/")
    desktop.wait_for_selector("#chart-stages[data-rendered=true] svg")
    assert "全市数据截至" in desktop.inner_text("#as-of")
    assert desktop.inner_text("#figure-overdue") == "1"
    assert "酉阳" in desktop.inner_text("main")  # the per-district table
    shoot(desktop, "dashboard-4-city-from-snapshot")
    # A county with nothing rated yet: its chart says so in words, and a zero overdue figure is not red.
    sign_in(desktop, base, "dz-supervisor")
    desktop.goto(f"{base}/oversight/dashboard/")
    desktop.wait_for_selector("#chart-satisfaction[data-rendered=empty]")
    assert desktop.inner_text("#chart-satisfaction") == "暂无数据"
    assert desktop.inner_text("#figure-overdue") == "0"
    assert "clock-overdue" not in (desktop.get_attribute("#figure-overdue", "class") or "")
    shoot(desktop, "dashboard-5-empty-charts")
