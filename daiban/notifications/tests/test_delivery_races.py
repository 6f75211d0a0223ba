"""Several workers deliver at once on PostgreSQL (real threads, one connection each): every message reaches
the gateway exactly once, and the claims spread the work between them."""

import pytest
from django.db import connection

from daiban.common.tests.concurrency import run_together
from daiban.notifications.models import OutboundMessage
from daiban.notifications.services import deliver_pending, notify
from daiban.organizations.tests.factories import UserFactory

from .fake_gateway import FakeGateway

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need concurrent connections to PostgreSQL (set DATABASE_URL=postgresql://…)",
    ),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 4
MESSAGES = 40


def test_concurrent_workers_send_each_message_once(settings):
    gateway = FakeGateway().start()
    gateway.delay = 0.01
    settings.DAIBAN_SMS_GATEWAY = "daiban.notifications.channels.HttpSmsGateway"
    settings.DAIBAN_SMS_URL = gateway.url
    try:
        people = [UserFactory.create(mobile=f"138{i:08d}") for i in range(MESSAGES)]
        notify(recipients=people, verb="item.overdue", title="超期预警")
        outcomes = run_together(*[deliver_pending for _ in range(WORKERS)])
    finally:
        gateway.stop()
    assert all(o.ok for o in outcomes), [str(o) for o in outcomes]
    per_worker = [o.value["sent"] for o in outcomes]  # type: ignore[index]
    assert sum(per_worker) == MESSAGES
    assert sum(1 for sent in per_worker if sent) > 1  # really concurrent: more than one worker sent
    assert set(gateway.receipts.values()) == {1} and len(gateway.receipts) == MESSAGES
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
