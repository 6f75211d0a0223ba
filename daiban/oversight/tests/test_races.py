"""Two people moving the same coordination issue, or the same rectification, at the same moment, on real
PostgreSQL connections: the workflow core locks the row, so one step wins and the other is refused in
Chinese; the history holds the step once. (Skipped on SQLite; CI runs the suite on PostgreSQL too.)"""

import datetime as dt

import pytest
from django.db import connection

from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.chains import deliver_it, file_it
from daiban.cases.tests.conftest import data
from daiban.common.tests.concurrency import RaceTally, posted, run_together
from daiban.feedback.models import RectificationNote
from daiban.feedback.services import (
    close_rectification,
    file_complaint,
    report_rectification,
    send_back_rectification,
)
from daiban.organizations.models import Role
from daiban.oversight.models import IssueNote
from daiban.oversight.services import assign_issue, raise_issue_from_item, resolve_issue
from daiban.workdays.services import seed_calendar_from_library

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need concurrent PostgreSQL connections"
    ),
    pytest.mark.django_db(transaction=True),
]
ROUNDS = 6
TODAY = dt.date(2026, 11, 2)  # the `clock` fixture's today


def _issue(request, staff):
    item = request.items.first()
    issue = raise_issue_from_item(
        item=item, title="规划与消防退距冲突", description="规资局与住建委意见不一致，需要协调", by=item.agent
    )
    return assign_issue(issue=issue, assignee=staff["park_agent"], working_days=5, by=staff["supervisor"])


@pytest.fixture
def handled(clock, park_project, rep, items, staff):
    seed_calendar_from_library()
    request = submit_request(project=park_project, data=data(items[:1]), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    item = request.items.first()
    assert item is not None
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    return request


def test_an_issue_resolved_by_two_people_at_once_is_resolved_once(handled, staff):
    tally = RaceTally("an issue resolved twice")
    for _round in range(ROUNDS):
        issue = _issue(handled, staff)
        outcomes = run_together(
            posted(resolve_issue, issue=issue, resolution="两部门已达成一致", by=staff["park_agent"]),
            posted(resolve_issue, issue=issue, resolution="已召开协调会解决", by=staff["supervisor"]),
        )
        resolved = IssueNote.objects.filter(issue=issue, verb="issue.resolved").count()
        tally.add(outcomes, broken=resolved != 1)
    tally.check()


def test_a_rectification_closed_and_sent_back_at_once_takes_one_of_them(
    handled, staff, youyang, make_staff, rep
):
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "fgw", section_code="tzk")
    item = handled.items.select_related("approval_item", "agent").first()
    deliver_it(file_it(item, item.agent, filed_on=TODAY), item.agent, reviewer, decided_on=TODAY)
    second = make_staff(Role.SUPERVISOR, youyang, "gaiban")
    tally = RaceTally("a rectification both closed and sent back")
    for _round in range(ROUNDS):
        rectification = file_complaint(request=handled, text="专员多次未按约定时间上门", agent=None, by=rep)
        assert rectification.owner is not None
        report_rectification(rectification=rectification, note="已约谈专员并整改", by=rectification.owner)
        outcomes = run_together(
            posted(close_rectification, rectification=rectification, note="", by=staff["supervisor"]),
            posted(send_back_rectification, rectification=rectification, note="未见企业确认", by=second),
        )
        steps = RectificationNote.objects.filter(
            rectification=rectification, verb__in=["rectification.closed", "rectification.sent_back"]
        ).count()
        tally.add(outcomes, broken=steps != 1)
    tally.check()
