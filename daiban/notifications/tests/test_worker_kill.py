"""Kill tests: a real worker process is SIGKILLed in the middle of a batch while the fake gateway counts
what reaches it. After a restart every message has arrived (0 lost) and at most the one message that was in
flight when the worker died arrived twice (ADR 0007) — once as the plain delivery loop on a file SQLite
database, once as the real Huey consumer on Redis.

The workers run `config.settings.dev` against a database of their own in a temporary directory; the test
reads that database with sqlite3 directly (the test database is another one)."""

import collections
import os
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .fake_gateway import FakeGateway
from .worker_site import LEASE_SECONDS, MESSAGES, SEED, Site

REDIS_URL = os.environ.get("DAIBAN_TEST_REDIS_URL", os.environ.get("REDIS_URL", ""))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated and seeded database, copied for each test (migrating takes most of the time)."""
    tmp = tmp_path_factory.mktemp("seeded")
    gateway = FakeGateway()
    world = Site(tmp, gateway)
    world.manage("migrate", "--noinput")
    world.manage("shell", "-c", SEED)
    gateway.server_close()
    return world.db


@pytest.fixture
def site(tmp_path: Path, seeded: Path) -> Iterator[Site]:
    gateway = FakeGateway().start()
    gateway.delay = 0.05  # each acceptance takes a moment, so the kill lands mid-batch
    world = Site(tmp_path, gateway)
    shutil.copyfile(seeded, world.db)
    yield world
    print("receipts per message:", sorted(collections.Counter(gateway.receipts.values()).items()))
    gateway.stop()


def test_a_killed_delivery_loop_loses_nothing_and_repeats_at_most_one(site):
    worker = site.start("deliver_outbox", "--until-empty")
    at_kill = site.kill_when_received(worker, MESSAGES // 3)
    assert at_kill < MESSAGES
    assert site.statuses().get("sent", 0) >= at_kill - 1  # every acceptance but the last was recorded
    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's claim runs out
    site.manage("deliver_outbox", "--until-empty")
    site.assert_all_arrived_with_at_most(1)


def test_killed_twice_repeats_at_most_one_per_kill(site):
    for _ in range(2):
        worker = site.start("deliver_outbox", "--until-empty")
        site.kill_when_received(worker, sum(site.gateway.receipts.values()) + MESSAGES // 4)
    time.sleep(LEASE_SECONDS + 0.5)
    site.manage("deliver_outbox", "--until-empty")
    site.assert_all_arrived_with_at_most(2)


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it)")
def test_a_killed_huey_consumer_on_redis_loses_nothing_and_repeats_at_most_one(site):
    queue = f"daiban-kill-{uuid.uuid4().hex[:8]}"
    site.env |= {"REDIS_URL": REDIS_URL, "DAIBAN_QUEUE_NAME": queue, "DAIBAN_WORKERS": "1"}
    enqueue = "from daiban.notifications.tasks import deliver_outbox; deliver_outbox()"
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
