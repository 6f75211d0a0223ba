"""Issue #7 journey: a problem goes from an agent's item page onto the reform office's issue list, is
assigned by the supervisor and resolved by the agent on a phone; the park's coordinator reviews and submits
the quarter's ledger; the supervisor sees who has submitted and the ranking with its formula."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from daiban.cases.services import accept_request, assign_agent
from daiban.cases.tests.chains import deliver_it, file_it
from daiban.organizations.models import Unit, User
from daiban.oversight.models import CoordinationIssue, QuarterlyLedger
from daiban.workdays.quarters import Quarter

from .demo_park import demo_park, park_request
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date


def last_quarter() -> tuple[Quarter, dt.date]:
    """The quarter that ended last, and a Monday early in it."""
    quarter = Quarter.last_ended()
    first = quarter.first_day
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7)
    return quarter, monday


def park_request_last_quarter():  # type: ignore[no-untyped-def]
    """A park request submitted early last quarter: the construction permit decided the day after filing,
    the fire design review filed the same Monday and still waiting."""
    park = demo_park()
    quarter, monday = last_quarter()
    submitted_at = timezone.make_aware(dt.datetime.combine(monday - dt.timedelta(days=7), dt.time(9)))
    request = park_request(park, ["construction-permit", "fire-design-review"], submitted_at=submitted_at)
    accept_request(request=request, by=park.coordinator)
    waiting = None
    for item in request.items.select_related("approval_item"):
        item = file_it(
            assign_agent(item=item, agent=park.agent, by=park.coordinator), park.agent, filed_on=monday
        )
        if item.approval_item.code == "construction-permit":
            deliver_it(item, park.agent, park.reviewer, decided_on=monday + dt.timedelta(days=1))
        else:
            waiting = item
    return request, waiting, quarter


def test_issue_list_ledger_and_ranking(live_server, desktop, phone, shoot):
    request, permit, quarter = park_request_last_quarter()
    base = live_server.url

    # The agent raises a problem from the item it is chasing.
    sign_in(desktop, base, "yy-agent-park")
    desktop.goto(base + reverse("cases:item_detail", args=[request.pk, permit.pk]))
    desktop.click("summary:has-text('提出需协办问题')")
    desktop.fill("#issue-title", "消防审查意见迟迟未出")
    desktop.fill("#issue-description", "住建委等待消防审查意见已超过承诺时限，需要改革办协调消防部门。")
    desktop.click("button[name=raise]")
    desktop.wait_for_selector(".msg-success")
    issue = CoordinationIssue.objects.get()
    assert issue.case_item_id == permit.pk and issue.status == "open"

    # The supervisor assigns it by locality, with a deadline in working days.
    sign_in(desktop, base, "yy-supervisor")
    desktop.goto(base + reverse("oversight:issue_list"))
    desktop.click(f"#issue-{issue.pk} a")
    agent = User.objects.get(username="yy-agent-park")
    desktop.select_option("select[name=assignee]", str(agent.pk))
    desktop.fill("input[name=working_days]", "3")
    desktop.click("button[name=assign]")
    desktop.wait_for_selector(".msg-success")
    issue.refresh_from_db()
    assert issue.status == "assigned" and issue.assignee == agent and issue.due_on > timezone.localdate()
    shoot(desktop, "oversight-1-issue-assigned")

    # The agent, in the field, records how it was resolved.
    sign_in(phone, base, "yy-agent-park")
    phone.goto(base + reverse("oversight:issue_detail", args=[issue.pk]))
    phone.fill(f"form[action='{reverse('oversight:issue_resolve', args=[issue.pk])}'] textarea[name=text]",
               "已召开协调会，消防部门承诺两个工作日内出具意见。")  # fmt: skip
    phone.click("button[name=resolve]")
    phone.wait_for_selector(".msg-success")
    assert "已召开协调会" in phone.inner_text("main")
    shoot(phone, "oversight-2-issue-resolved-phone")
    issue.refresh_from_db()
    assert issue.status == "resolved"

    # The park's coordinator reviews last quarter's ledger, annotates it and submits it.
    park = Unit.objects.get(jurisdiction__code="500242", code="gyyq")
    sign_in(desktop, base, "yy-coord-park")
    desktop.goto(base + reverse("oversight:ledger_detail", args=[park.pk, quarter.year, quarter.number]))
    desktop.fill("textarea[name=annotation]", "施工许可仍在审查，消防意见延迟已报改革办协调。")
    desktop.click("button[name=submit_ledger]")
    desktop.wait_for_selector(".msg-success")
    ledger = QuarterlyLedger.objects.of(quarter).get(unit=park)
    assert ledger.figures["requests_received"] == 1
    shoot(desktop, "oversight-3-ledger-submitted")

    # The supervisor sees who has submitted, and the ranking with its formula, on a phone.
    sign_in(phone, base, "yy-supervisor")
    phone.goto(base + reverse("oversight:ledger_list") + f"?{quarter.query}")
    row = phone.inner_text(f"#ledger-{park.pk}")
    assert timezone.localdate().isoformat() in row and "未报送" not in row
    shoot(phone, "oversight-4-ledgers-phone")
    phone.goto(base + reverse("oversight:ranking") + f"?{quarter.query}")
    assert "Σ" in phone.inner_text("#formula")
    assert phone.locator("#ranking tbody tr").count() == 1
    assert "丁市镇" in phone.inner_text("#unscored")  # townships without work this quarter, named once
    first = phone.locator("#ranking tbody tr").first
    assert "工业园区" in first.inner_text()  # the only unit with a decision: ranked first
    assert (
        first.locator("td").nth(2).get_attribute("data-label") == "按时办结率"
    )  # shown beside the value on a phone
    shoot(phone, "oversight-5-ranking-phone")
