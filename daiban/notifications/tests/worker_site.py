"""A worker's world for tests that run real processes: a file SQLite database in a temporary directory,
the environment `config.settings.dev` reads, and the fake gateway it talks to. Tests read the database with
sqlite3 directly (the test database is another one)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from .fake_gateway import FakeGateway

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 60
LEASE_SECONDS = 2

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

    def start_logged(self, *args: str) -> subprocess.Popen[bytes]:
        """Like `start`, with stdout and stderr in `self.log` to read after."""
        self.log = self.db.with_suffix(".log")
        with self.log.open("wb") as log:
            return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
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
