"""Several workers run the webhook job at once on PostgreSQL (real threads, one connection each) while
services keep writing: every event is queued once and reaches the subscriber once."""

import pytest
from django.db import connection

from daiban.common.audit import AuditVerb, record
from daiban.common.tests.concurrency import run_together
from daiban.integrations.models import EventType, WebhookDelivery, WebhookSubscription
from daiban.integrations.services import deliver_pending, fan_out
from daiban.organizations.models import Jurisdiction

from .subscriber import Subscriber

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need concurrent connections to PostgreSQL (set DATABASE_URL=postgresql://…)",
    ),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 4
EVENTS = 60


def test_concurrent_workers_queue_and_send_each_event_once():
    subscriber = Subscriber().start()
    try:
        county = Jurisdiction.objects.create(code="500242", name="酉阳")
        WebhookSubscription.objects.create(
            jurisdiction=county, name="工改", url=subscriber.url, event_types=[EventType.REQUEST_SUBMITTED]
        )
        fan_out()  # the cursor starts at the head

        def write(n: int) -> None:
            for _ in range(n):  # each in its own transaction, as services commit
                record(actor=None, verb=AuditVerb.REQUEST_SUBMITTED, target=county)

        def job() -> dict[str, int]:
            counts: dict[str, int] = {}
            for _ in range(5):
                for key, value in {**fan_out(batch=7), **deliver_pending()}.items():
                    counts[key] = counts.get(key, 0) + value
            return counts

        outcomes = run_together(lambda: write(EVENTS // 2), lambda: write(EVENTS // 2), *[job] * WORKERS)
        assert all(o.ok for o in outcomes), [str(o) for o in outcomes]
        fan_out()
        deliver_pending()
    finally:
        subscriber.stop()
    assert WebhookDelivery.objects.count() == EVENTS
    keys = [r.headers["x-daiban-delivery"] for r in subscriber.received]
    assert len(keys) == EVENTS and len(set(keys)) == EVENTS
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"sent"}
