import datetime as dt

import pytest

from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.chains import deliver_it, file_it
from daiban.cases.tests.conftest import (  # noqa: F401
    clock,
    data,
    dispatched,
    items,
    park_project,
    rep,
    staff,
    submitted,
    town_project,
)
from daiban.feedback.services import evaluate
from daiban.feedback.tests.conftest import completed, hall_manager, reviewer  # noqa: F401
from daiban.oversight.services import raise_issue_from_item
from daiban.workdays.services import seed_calendar_from_library

D = dt.date


def walk(item, agent, reviewer, clock, filed, decided):
    """File on `filed` and decide and deliver on `decided`, the clock following."""
    clock(filed.year, filed.month, filed.day)
    item = file_it(item, agent, filed_on=filed)
    clock(decided.year, decided.month, decided.day)
    return deliver_it(item, agent, reviewer, decided_on=decided)


@pytest.fixture
def quarter(clock, park_project, town_project, rep, items, staff, reviewer):
    """2026 Q3 in 酉阳. The park request: project filing (limit 1) filed Mon 9-07, decided 9-08 (on time,
    1 day used); construction permit (limit 3) filed 9-07, due 9-10, decided Mon 9-14 (2 days late, 5 used).
    Rated 5/4/5 and 2/2/3. One issue raised 9-10, still open. The township request was only submitted."""
    seed_calendar_from_library()
    clock(2026, 9, 1)
    chosen = [i for i in items if i.code in ("project-filing", "construction-permit")]
    request = submit_request(project=park_project, data=data(chosen), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    filing, permit = request.items.order_by("position")
    filing = assign_agent(item=filing, agent=staff["park_agent"], by=staff["park_coord"])
    permit = assign_agent(item=permit, agent=staff["park_agent2"], by=staff["park_coord"])
    walk(filing, staff["park_agent"], reviewer, clock, D(2026, 9, 7), D(2026, 9, 8))
    clock(2026, 9, 10)
    raise_issue_from_item(
        item=permit,
        title="消防意见迟迟未出",
        description="消防审查意见未按时出具需要协调",
        by=staff["park_agent2"],
    )
    walk(permit, staff["park_agent2"], reviewer, clock, D(2026, 9, 7), D(2026, 9, 14))
    clock(2026, 9, 15)
    evaluate(
        request=request, agent=staff["park_agent"], by=rep, attitude=5, efficiency=4, integrity=5, comment=""
    )
    evaluate(
        request=request,
        agent=staff["park_agent2"],
        by=rep,
        attitude=2,
        efficiency=2,
        integrity=3,
        comment="许可证拖延了",
    )
    clock(2026, 9, 20)
    submit_request(project=town_project, data=data(items[2:3]), by=rep, channel="online")
    clock(2026, 10, 12)
    return request
