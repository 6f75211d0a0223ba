"""The Redis-backed path: a job enqueued in the real Redis is picked up by a worker and runs.

CI sets REDIS_URL (the machine's Redis on 127.0.0.1:6379); a laptop without Redis skips this one test.
"""

import os
import uuid

import pytest
from huey import RedisHuey

from daiban.notifications.channels import RecordingSmsGateway
from daiban.notifications.models import OutboundMessage
from daiban.notifications.services import deliver_pending, notify
from daiban.organizations.tests.factories import UserFactory

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it)")
@pytest.mark.django_db
def test_delivery_job_runs_on_a_redis_backed_worker():
    RecordingSmsGateway.sent.clear()
    RecordingSmsGateway.down = False
    huey = RedisHuey(f"daiban-test-{uuid.uuid4().hex}", url=REDIS_URL)
    try:

        @huey.task()
        def deliver_outbox() -> dict[str, int]:
            return deliver_pending()

        notify(recipients=[UserFactory.create(mobile="13800138000")], verb="item.overdue", title="超期预警")
        deliver_outbox()  # enqueue: serialised into Redis
        assert huey.pending_count() == 1
        task = huey.dequeue()  # what a worker on any machine does
        assert task is not None
        assert huey.pending_count() == 0
        result = huey.execute(task)
        assert result == {"sent": 1, "retry": 0, "failed": 0}
        assert OutboundMessage.objects.get().status == "sent"
        assert RecordingSmsGateway.sent == [("13800138000", "超期预警")]
    finally:
        huey.storage.flush_all()
