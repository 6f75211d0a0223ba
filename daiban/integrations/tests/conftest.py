from collections.abc import Iterator

import pytest

from daiban.cases.services import accept_request, submit_request
from daiban.cases.tests.conftest import (  # noqa: F401
    clock,
    data,
    dispatched,
    items,
    park_project,
    rep,
    staff,
    town_project,
)
from daiban.common.models import AuditEntry
from daiban.feedback.tests.conftest import reviewer  # noqa: F401
from daiban.integrations.models import EventType, WebhookSubscription
from daiban.integrations.services import fan_out

from .subscriber import Subscriber


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    server = Subscriber().start()
    yield server
    server.stop()


@pytest.fixture
def subscription(youyang, subscriber, clock):
    """酉阳's 工改系统 hears of requests and item moves. The cursor starts past what the fixtures wrote."""
    if AuditEntry.objects.exists():
        fan_out()
    return WebhookSubscription.objects.create(
        jurisdiction=youyang,
        name="酉阳工改系统",
        url=subscriber.url,
        event_types=[
            EventType.REQUEST_SUBMITTED,
            EventType.REQUEST_ACCEPTED,
            EventType.ITEM_STATE_CHANGED,
            EventType.ITEM_OVERDUE,
        ],
    )


@pytest.fixture
def accepted(subscription, park_project, rep, items, staff):
    request = submit_request(project=park_project, data=data(items[:1]), by=rep, channel="online")
    return accept_request(request=request, by=staff["park_coord"])
