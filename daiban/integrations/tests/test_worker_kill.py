"""Kill tests for webhook delivery, as for SMS (daiban/notifications/tests/test_worker_kill.py): both run
the one outbox runner (`daiban.common.outbox`), and this proves it for the webhook table too. A real worker
process is SIGKILLed mid-batch while the subscriber (the fake gateway, which counts each request by its
`Idempotency-Key`) is receiving; after a restart every event has arrived (0 lost) and at most the one
delivery in flight when the worker died arrived twice — once as `manage.py deliver_webhooks` on a file
SQLite database, once as the real Huey consumer on Redis."""

import collections
import os
import shutil
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from daiban.notifications.tests.fake_gateway import FakeGateway
from daiban.notifications.tests.worker_site import LEASE_SECONDS, MESSAGES, Site

REDIS_URL = os.environ.get("DAIBAN_TEST_REDIS_URL", os.environ.get("REDIS_URL", ""))

SEED = f"""
from daiban.common.audit import AuditVerb, record
from daiban.integrations.models import EventType, WebhookSubscription
from daiban.integrations.services import fan_out
from daiban.organizations.models import Jurisdiction
county = Jurisdiction.objects.create(code="500242", name="酉阳")
WebhookSubscription.objects.create(
    jurisdiction=county, name="工改", url="http://127.0.0.1:9/", event_types=[EventType.REQUEST_SUBMITTED]
)
fan_out()
for _ in range({MESSAGES}):
    record(actor=None, verb=AuditVerb.REQUEST_SUBMITTED, target=county)
assert fan_out()["queued"] == {MESSAGES}
"""


class WebhookSite(Site):
    """The worker's world, read from the webhook delivery table."""

    def __init__(self, tmp: Path, gateway: FakeGateway) -> None:
        super().__init__(tmp, gateway)
        self.env["DAIBAN_WEBHOOK_DEADLINE_SECONDS"] = "1"

    def point_at_gateway(self) -> None:
        with sqlite3.connect(self.db) as db:
            db.execute("UPDATE integrations_webhooksubscription SET url = ?", (self.gateway.url,))

    def statuses(self) -> dict[str, int]:
        with sqlite3.connect(self.db) as db:
            return dict(
                db.execute(
                    "SELECT status, count(*) FROM integrations_webhookdelivery GROUP BY status"
                ).fetchall()
            )

    def keys(self) -> set[str]:
        with sqlite3.connect(self.db) as db:
            return {
                str(uuid.UUID(k))
                for (k,) in db.execute("SELECT delivery_key FROM integrations_webhookdelivery")
            }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database with MESSAGES queued deliveries, copied for each test."""
    tmp = tmp_path_factory.mktemp("seeded")
    gateway = FakeGateway()
    world = WebhookSite(tmp, gateway)
    world.manage("migrate", "--noinput")
    world.manage("shell", "-c", SEED)
    gateway.server_close()
    return world.db


@pytest.fixture
def site(tmp_path: Path, seeded: Path) -> Iterator[WebhookSite]:
    gateway = FakeGateway().start()
    gateway.delay = 0.05  # each acceptance takes a moment, so the kill lands mid-batch
    world = WebhookSite(tmp_path, gateway)
    shutil.copyfile(seeded, world.db)
    world.point_at_gateway()
    assert world.statuses() == {"pending": MESSAGES}
    yield world
    print("receipts per delivery:", sorted(collections.Counter(gateway.receipts.values()).items()))
    gateway.stop()


def test_a_killed_webhook_worker_loses_nothing_and_repeats_at_most_one(site):
    worker = site.start("deliver_webhooks")
    at_kill = site.kill_when_received(worker, MESSAGES // 3)
    assert at_kill < MESSAGES
    assert site.statuses().get("sent", 0) >= at_kill - 1  # every acceptance but the last was recorded
    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's claim runs out
    site.manage("deliver_webhooks")
    site.assert_all_arrived_with_at_most(1)


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it)")
def test_a_killed_huey_consumer_on_redis_loses_no_webhook_and_repeats_at_most_one(site):
    queue = f"daiban-kill-{uuid.uuid4().hex[:8]}"
    site.env |= {"REDIS_URL": REDIS_URL, "DAIBAN_QUEUE_NAME": queue, "DAIBAN_WORKERS": "1"}
    enqueue = "from daiban.integrations.tasks import deliver_webhooks; deliver_webhooks()"
    try:
        site.manage("shell", "-c", enqueue)  # the job goes into Redis
        consumer = site.start("run_huey")
        site.kill_when_received(consumer, MESSAGES // 3)
        time.sleep(LEASE_SECONDS + 0.5)
        consumer = site.start("run_huey")
        site.manage("shell", "-c", enqueue)
        deadline = time.monotonic() + 60
        while site.statuses() != {"sent": MESSAGES} and time.monotonic() < deadline:
            time.sleep(0.2)
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(30)
        site.assert_all_arrived_with_at_most(1)
    finally:
        site.manage(
            "shell",
            "-c",
            f"from huey import RedisHuey; RedisHuey({queue!r}, url={REDIS_URL!r}).storage.flush_all()",
        )
