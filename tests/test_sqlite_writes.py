"""The embedded SQLite (`make run`) never drops a write: one process writes through the service functions
and through the web (sign-in sessions, reading notifications) while another delivers the outbox over and
over against a gateway, on one database file. 0 errors in either (issue #17: 2 of ~500 writes failed)."""

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import base
from daiban.notifications.tests.fake_gateway import FakeGateway
from daiban.notifications.tests.worker_site import SEED, Site

WRITES = 300

WRITER = f"""
import time
from django.db import transaction
from django.test import Client
from daiban.notifications.models import Notification
from daiban.notifications.services import notify
from daiban.organizations.models import User
people = list(User.objects.order_by("pk")[:5])
errors = 0
started = time.monotonic()
for i in range({WRITES}):
    person = people[i % 5]
    try:
        if i % 2:
            with transaction.atomic():
                notify(recipients=[person], verb="item.due_soon", title=f"写入 {{i}}")
        else:
            client = Client()
            client.force_login(person)
            note = Notification.objects.filter(recipient=person, read_at__isnull=True).first()
            if note is not None:
                response = client.post(f"/notifications/{{note.pk}}/read/")
                assert response.status_code == 302, response.status_code
    except Exception as exc:
        errors += 1
        print("ERROR", type(exc).__name__, exc)
print("errors", errors, "seconds", round(time.monotonic() - started, 1))
"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    gateway = FakeGateway().start()
    world = Site(tmp_path, gateway)
    world.env |= {"DJANGO_ALLOWED_HOSTS": "testserver"}
    world.manage("migrate", "--noinput")
    world.manage("shell", "-c", SEED)
    yield world
    gateway.stop()


def test_web_writes_and_outbox_delivery_share_the_database_without_an_error(site):
    deliverer = site.start_logged("deliver_outbox", "--forever", "0.05")
    try:
        out = site.manage("shell", "-c", WRITER, timeout=600)
        time.sleep(1)
        assert deliverer.poll() is None, "the delivery loop died"
    finally:
        deliverer.terminate()
        deliverer.wait(10)
    print(out.strip().splitlines()[-1])
    assert "errors 0 " in out, out[-2000:]
    log = site.log.read_text()
    assert "locked" not in log and "Traceback" not in log, log[-2000:]
    assert sum(site.gateway.receipts.values()) > WRITES // 2  # delivery really ran alongside
    with sqlite3.connect(site.db) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_every_sqlite_database_gets_wal_immediate_transactions_and_a_busy_timeout():
    """The one place DATABASE_URL becomes settings (the test settings use it too)."""
    options = base.database_from_url("sqlite:////var/lib/daiban/daiban.sqlite3")["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]
    postgres = base.database_from_url("postgresql://daiban@db:5432/daiban")["OPTIONS"]
    assert postgres == {"connect_timeout": 5}
    # Without REDIS_URL the job queue is SQLite too: a file of its own, never the app's database.
    assert base.EMBEDDED_HUEY["filename"] == str(base.VAR_DIR / "jobs.sqlite3")
    assert base.database_from_url(f"sqlite:///{base.VAR_DIR / 'daiban.sqlite3'}")["NAME"] != str(
        base.VAR_DIR / "jobs.sqlite3"
    )
