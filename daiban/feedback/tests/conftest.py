import datetime as dt

import pytest

from daiban.cases import item_services as steps
from daiban.cases.tests.conftest import clock, dispatched, items, park_project, rep, staff, town_project  # noqa: F401
from daiban.organizations.models import Role, Unit
from daiban.organizations.selectors import forget_roles
from daiban.organizations.services import grant_role


@pytest.fixture
def reviewer(youyang, make_staff):
    """Reviews for both 住建委审批科 (construction permit) and 发改委投资科 (project filing)."""
    user = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    fgw = Unit.objects.get(jurisdiction=youyang, code="fgw")
    grant_role(
        user=user,
        role=Role.SECTION_REVIEWER,
        jurisdiction=youyang,
        unit=fgw,
        section=fgw.sections.get(code="tzk"),
        by=None,
    )
    forget_roles(user)
    return user


@pytest.fixture
def hall_manager(youyang, make_staff):
    return make_staff(Role.HALL_MANAGER, youyang, "zwzx")


def deliver_item(item, reviewer, on):
    """Drive one item from planned to delivered on one day, by its own agent."""
    agent = item.agent
    item = steps.start_collecting(item=item, by=agent, expected_version=item.version)
    for line in item.checklist.all():
        steps.update_checklist_line(line=line, status="received", promised_on=None, note="", by=agent)
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    item = steps.file_item(item=item, external_ref=f"YY-{item.pk:06d}", filed_on=on, by=agent,
                           expected_version=item.version)  # fmt: skip
    item = steps.approve(item=item, decided_on=on, by=reviewer, expected_version=item.version)
    item = steps.pick_up(item=item, on=on, by=agent, expected_version=item.version)
    steps.deliver(item=item, method="in_person", delivered_on=on, receiver="张经理", by=agent,
                  expected_version=item.version)  # fmt: skip


def deliver_all(request, reviewer, on):
    for item in request.items.select_related("approval_item", "agent"):
        deliver_item(item, reviewer, on)
    request.refresh_from_db()
    return request


@pytest.fixture
def completed(dispatched, staff, reviewer, clock):
    clock(2026, 11, 5)
    return deliver_all(dispatched, reviewer, dt.date(2026, 11, 5))
