import datetime as dt

import pytest

from daiban.cases.tests.chains import deliver_it, file_it
from daiban.cases.tests.conftest import (  # noqa: F401
    clock,
    dispatched,
    items,
    park_project,
    rep,
    staff,
    town_project,
)
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
    deliver_it(file_it(item, item.agent, filed_on=on), item.agent, reviewer, decided_on=on)


def deliver_all(request, reviewer, on):
    for item in request.items.select_related("approval_item", "agent"):
        deliver_item(item, reviewer, on)
    request.refresh_from_db()
    return request


@pytest.fixture
def completed(dispatched, staff, reviewer, clock):
    clock(2026, 11, 5)
    return deliver_all(dispatched, reviewer, dt.date(2026, 11, 5))
