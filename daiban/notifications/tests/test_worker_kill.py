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
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .fake_gateway import FakeGateway

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 60
LEASE_SECONDS = 2
REDIS_URL = os.environ.get("DAIBAN_TEST_REDIS_URL", os.environ.get("REDIS_URL", ""))

SEED = f"""
from daiban.notifications.services import notify
from daiban.organizations.models import User
for i in range({MESSAGES}):
    person = User.objects.create(username=f"p{{i}}", full_name="测试", mobile=f"138{{i:08d}}")
    notify(recipients=[person], verb="item.overdue", title="超期预警")
"""


class Site:
    """A worker's world: its database file, its environment and the gateway it talks to."""

    def __init__(self, tmp: Path, gateway: FakeGateway) -> None:
        self.db = tmp / "daiban.sqlite3"
        self.gateway = gateway
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{self.db}",
            "DAIBAN_VAR_DIR": str(tmp),
            "DAIBAN_SMS_GATEWAY": "daiban.notifications.channels.HttpSmsGateway",
            "DAIBAN_SMS_URL": gateway.url,
            "DAIBAN_SMS_DEADLINE_SECONDS": "1",
            "EMAIL_TIMEOUT": "1",
            "DAIBAN_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DAIBAN_LOG_LEVEL": "WARNING",
        }
        self.env.pop("REDIS_URL", None)

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def statuses(self) -> dict[str, int]:
        with sqlite3.connect(self.db) as db:
            return dict(
                db.execute(
                    "SELECT status, count(*) FROM notifications_outboundmessage GROUP BY status"
                ).fetchall()
            )

    def keys(self) -> set[str]:
        with sqlite3.connect(self.db) as db:
            return {
                str(uuid.UUID(k))
                for (k,) in db.execute("SELECT delivery_key FROM notifications_outboundmessage")
            }

    def kill_when_received(self, worker: subprocess.Popen[bytes], count: int) -> int:
        deadline = time.monotonic() + 60
        while sum(self.gateway.receipts.values()) < count:
            assert worker.poll() is None, "the worker ended before it was killed"
            assert time.monotonic() < deadline, "the gateway received too little"
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        return sum(self.gateway.receipts.values())

    def assert_all_arrived_with_at_most(self, duplicates: int) -> None:
        assert self.statuses() == {"sent": MESSAGES}
        assert set(self.gateway.receipts) == self.keys()  # 0 lost
        repeated = sum(n - 1 for n in self.gateway.receipts.values())
        assert repeated <= duplicates, self.gateway.receipts.most_common(3)


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
