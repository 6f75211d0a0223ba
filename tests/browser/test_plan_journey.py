"""Issue #8: the request's plan page draws the Gantt chart (vendored frappe-gantt) with the critical path."""

import datetime as dt

import pytest

from daiban.cases.services import RequestData, submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.portal.demo import DEMO_PASSWORD, load_demo
from daiban.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_page_draws_the_gantt_chart(live_server, desktop, shoot):
    load_demo()
    project = Project.objects.get(location__code="gyyq")
    codes = [
        "project-filing",
        "land-use-planning-permit",
        "construction-planning-permit",
        "fire-design-review",
        "construction-permit",
    ]
    request = submit_request(
        project=project,
        by=project.applicant.representatives.get().user,
        channel="online",
        data=RequestData(
            mode="assist",
            approval_items=list(
                ApprovalItem.objects.filter(jurisdiction=project.jurisdiction, code__in=codes)
            ),
            consent=False,
            free_of_charge_acknowledged=True,
        ),
    )
    type(request).objects.filter(pk=request.pk).update(
        submitted_at=dt.datetime(2026, 9, 14, 2, tzinfo=dt.UTC)
    )
    desktop.goto(f"{live_server.url}/accounts/login/")
    desktop.fill("input[name=username]", "yy-applicant")
    desktop.fill("input[name=password]", DEMO_PASSWORD)
    desktop.click("main button[type=submit]")
    desktop.goto(f"{live_server.url}/plans/requests/{request.pk}/")
    desktop.wait_for_selector("#gantt svg .bar-wrapper")
    assert desktop.locator("#gantt .bar-wrapper").count() == len(codes)
    assert (
        desktop.locator("#gantt .bar-critical").count() >= 3
    )  # 备案 → 用地 → 规划 → 消防 → 施工 (partly critical)
    assert "预计取得施工许可" in desktop.content()
    shoot(desktop, "plan-01-gantt")
