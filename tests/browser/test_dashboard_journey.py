"""Issue #7 journey: the supervisor's dashboard draws its charts (vendored ECharts) from real data, on a
desktop and on a phone, and a click on a number opens the list behind it; the city supervisor's view of
every district is drawn from the job's snapshot and says how old it is."""

import datetime as dt

import pytest
from django.utils import timezone

from daiban.cases import item_services as steps
from daiban.cases.services import RequestData, accept_request, assign_agent, submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.feedback.services import evaluate
from daiban.organizations.models import Jurisdiction, User
from daiban.oversight.tasks import city_dashboard_figures
from daiban.portal.demo import load_demo
from daiban.projects.models import Project

from .conftest import cover_calendar_until
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def busy_county():  # type: ignore[no-untyped-def]
    """Two park requests: one delivered and rated, one filed long enough ago to be overdue today."""
    load_demo()
    today = timezone.localdate()
    cover_calendar_until(today + dt.timedelta(days=60))
    youyang = Jurisdiction.objects.get(code="500242")
    project = Project.objects.get(location__code="gyyq")
    applicant = project.applicant.representatives.get().user
    coordinator, agent = (
        User.objects.get(username="yy-coord-park"),
        User.objects.get(username="yy-agent-park"),
    )
    reviewer = User.objects.get(username="yy-reviewer")
    for code, decide in (("construction-permit", True), ("fire-design-review", False)):
        request = submit_request(
            project=project, by=applicant, channel="online",
            data=RequestData(mode="proxy", approval_items=[ApprovalItem.objects.get(jurisdiction=youyang, code=code)],
                             consent=True, free_of_charge_acknowledged=True),
        )  # fmt: skip
        type(request).objects.filter(pk=request.pk).update(
            submitted_at=timezone.now() - dt.timedelta(days=40)
        )
        request.refresh_from_db()
        accept_request(request=request, by=coordinator)
        item = assign_agent(item=request.items.get(), agent=agent, by=coordinator)
        item = steps.start_collecting(item=item, by=agent, expected_version=item.version)
        for line in item.checklist.all():
            steps.update_checklist_line(line=line, status="received", promised_on=None, note="", by=agent)
        item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
        filed_on = today if decide else today - dt.timedelta(days=30)
        item = steps.file_item(item=item, external_ref=f"YY-DASH-{request.pk}", filed_on=filed_on, by=agent,
                               expected_version=item.version)  # fmt: skip
        if decide:
            item = steps.approve(item=item, decided_on=today, by=reviewer, expected_version=item.version)
            item = steps.pick_up(item=item, on=today, by=agent, expected_version=item.version)
            steps.deliver(item=item, method="in_person", delivered_on=today, receiver="张经理", by=agent,
                          expected_version=item.version)  # fmt: skip
            evaluate(
                request=request, agent=agent, by=applicant, attitude=5, efficiency=4, integrity=5, comment=""
            )


def test_supervisor_dashboard_renders_its_charts(live_server, desktop, phone, shoot):
    busy_county()
    base = live_server.url
    sign_in(desktop, base, "yy-supervisor")
    desktop.click("nav >> text=监管看板")
    for chart in ("requests", "stages", "units", "localities", "trend", "satisfaction", "workload"):
        desktop.wait_for_selector(f"#chart-{chart}[data-rendered=true] svg")
    assert desktop.inner_text("#figure-overdue") == "1"
    assert desktop.locator("#chart-units svg path").count() > 0
    shoot(desktop, "dashboard-1-supervisor-desktop")
    sign_in(phone, base, "yy-supervisor")
    phone.goto(f"{base}/oversight/dashboard/")
    phone.wait_for_selector("#chart-workload[data-rendered=true] svg")
    shoot(phone, "dashboard-2-supervisor-phone")
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
