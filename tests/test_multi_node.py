"""Several machines against one PostgreSQL, one Redis and one object store (issue #18), on this machine: two
gunicorn app servers on two ports and two Redis-backed `run_huey` workers, all with the production settings,
sharing a fresh PostgreSQL database, a Redis queue of their own and a bucket on the moto S3 server.

A request is submitted (with a document) through app server A; app server B shows it and serves the document
from the shared store; the outbox's messages are each sent exactly once although both workers run the
delivery job; each daily job runs once for its day although both workers tick (one "covered" line in the two
workers' logs together, and DailyJobRun covering the day).

Needs a PostgreSQL DATABASE_URL and REDIS_URL (CI sets both for its PostgreSQL run); skipped otherwise.
"""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from huey import RedisHuey

from daiban.api.signing import authorization_header
from daiban.common.tests.s3 import free_port, wait_for_port
from daiban.notifications.tests.fake_gateway import FakeGateway

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PASSWORD = "Multi-node-test-2026"

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgres") and REDIS_URL),
    reason="needs a PostgreSQL DATABASE_URL and REDIS_URL (CI's PostgreSQL run sets both)",
)

SEED = f"""
PASSWORD = {PASSWORD!r}
import json
from daiban.catalogue.models import ApprovalItem
from daiban.catalogue.services import catalogue_data_file, load_catalogue
from daiban.organizations.models import Role, Unit, User
from daiban.organizations.services import DATA_DIR, grant_role, load_organisations
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory
from daiban.workdays.services import seed_calendar_from_library

seed_calendar_from_library()
load_organisations(path=DATA_DIR / "500000.toml")
yy = load_organisations(path=DATA_DIR / "500242.toml")
load_catalogue(path=catalogue_data_file("500242"))
park = yy.units.get(code="gyyq")
project = ProjectFactory.create(applicant__jurisdiction=yy, location=park)
rep = User.objects.create_user(username="mn-rep", password=PASSWORD, mobile="13800000001")
ApplicantRepresentative.objects.create(applicant=project.applicant, user=rep)
coordinator = User.objects.create_user(username="mn-coord", password=PASSWORD, mobile="13800000002")
grant_role(user=coordinator, role=Role.COORDINATOR, jurisdiction=yy, unit=park, by=None)
items = list(ApprovalItem.objects.filter(jurisdiction=yy, code="project-filing").values_list("pk", flat=True))
from daiban.api.models import ApiClient
from daiban.api.services import issue_key
client = ApiClient.objects.create(name="工改系统", jurisdiction=yy, scopes=["read_cases"])
key = issue_key(client=client, by=None)
api = {{"key_id": key.key.key_id, "secret": key.secret}}
print("SEEDED" + json.dumps({{"project": project.pk, "items": items, "api": api}}))
"""


def admin_url(database: str) -> str:
    return DATABASE_URL.rsplit("/", 1)[0] + "/" + database


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the CI's PostgreSQL server, dropped afterwards."""
    name = f"daiban_multinode_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin_url(name)
    with psycopg.connect(admin_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def queue() -> Iterator[str]:
    name = f"daiban-multinode-{uuid.uuid4().hex[:8]}"
    yield name
    RedisHuey(name, url=REDIS_URL).storage.flush_all()  # this queue's keys only


class Cluster:
    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.env, self.tmp = env, tmp
        self.processes: list[subprocess.Popen[bytes]] = []

    def manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start(self, name: str, command: list[str], **extra: str) -> Path:
        log = self.tmp / f"{name}.log"
        with log.open("wb") as out:
            self.processes.append(
                subprocess.Popen(  # noqa: S603 - our own programs
                    command, cwd=ROOT, env=self.env | extra, stdout=out, stderr=subprocess.STDOUT
                )
            )
        return log

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


class Browser:
    """A signed-in visitor: as the proxy would, it says the request came over HTTPS; the session cookie
    (Secure in production) is sent by hand to whichever app server it talks to."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def call(self, method: str, base: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": base.replace("http://", "https://"),
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        response = requests.request(
            method, base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies |= {c.name: c.value for c in response.cookies}
        return response

    def csrf(self) -> str:
        return self.cookies["csrftoken"]


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.5)


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql).fetchall())


def test_two_app_servers_and_two_workers_share_one_database_queue_and_store(
    database, queue, s3_server, tmp_path
):
    bucket = s3_server.new_bucket()
    gateway = FakeGateway().start()
    env = {
        **os.environ,
        **s3_server.environment(bucket),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "a-test-only-secret-key-that-is-long-enough-for-the-checks-0123456789",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "DAIBAN_QUEUE_NAME": queue,
        "DAIBAN_WORKERS": "2",
        "DAIBAN_WEB_WORKERS": "1",
        "DAIBAN_VAR_DIR": str(tmp_path),
        "DAIBAN_STATIC_ROOT": str(tmp_path / "static"),
        "DAIBAN_SMS_GATEWAY": "daiban.notifications.channels.HttpSmsGateway",
        "DAIBAN_SMS_URL": f"http://127.0.0.1:{gateway.server_address[1]}/send",
        "DAIBAN_LOG_LEVEL": "INFO",
    }
    cluster = Cluster(env, tmp_path)
    try:
        cluster.manage("migrate", "--noinput")
        cluster.manage("collectstatic", "--noinput")
        seeded = json.loads(cluster.manage("shell", "-c", SEED).split("SEEDED", 1)[1])
        ports = [free_port(), free_port()]
        for node, port in zip("ab", ports, strict=True):
            gunicorn = [str(GUNICORN), "--config", "config/gunicorn.conf.py"]
            cluster.start(f"web-{node}", gunicorn, DAIBAN_BIND=f"127.0.0.1:{port}")
        workers = [cluster.start(f"worker-{n}", [sys.executable, "manage.py", "run_huey"]) for n in (1, 2)]
        for port in ports:
            wait_for_port(port, seconds=30)
        a, b = (f"http://127.0.0.1:{port}" for port in ports)

        # Signed in and submitted through A.
        browser = Browser()
        assert browser.call("GET", a, "/accounts/login/").status_code == 200
        signed_in = browser.call(
            "POST",
            a,
            "/accounts/login/",
            data={"username": "mn-rep", "password": PASSWORD, "csrfmiddlewaretoken": browser.csrf()},
        )
        assert signed_in.status_code == 302, signed_in.text[-2000:]
        assert browser.call("GET", a, "/requests/new/").status_code == 200
        submitted = browser.call(
            "POST",
            a,
            "/requests/new/",
            data={
                "csrfmiddlewaretoken": browser.csrf(),
                "project": seeded["project"],
                "mode": "assist",
                "approval_items": seeded["items"],
                "free_of_charge_acknowledged": "on",
            },
            files={"documents": ("营业执照.pdf", PDF, "application/pdf")},
        )
        assert submitted.status_code == 302, submitted.text[-3000:]
        detail = submitted.headers["Location"]
        pk = int(re.search(r"/requests/(\d+)/", detail).group(1))  # type: ignore[union-attr]

        # One signed API call replayed to the other server is refused: the nonces are in the shared cache.
        path = "/api/v1/requests"
        signed = {
            "X-Forwarded-Proto": "https",  # as the proxy says
            "Authorization": authorization_header(
                key_id=seeded["api"]["key_id"],
                secret=seeded["api"]["secret"],
                method="GET",
                full_path=path,
                body=b"",
                timestamp=int(time.time()),
                nonce=uuid.uuid4().hex,
            ),
        }
        first = requests.get(a + path, headers=signed, timeout=10, allow_redirects=False)
        assert first.status_code == 200, first.text[-2000:]
        replayed = requests.get(b + path, headers=signed, timeout=10, allow_redirects=False)
        assert replayed.status_code == 401 and "nonce_replayed" in replayed.text, replayed.text

        # Seen and downloaded through B: the same session, the same database, the same object store.
        page = browser.call("GET", b, f"/requests/{pk}/")
        assert page.status_code == 200
        [document] = set(re.findall(rf"/requests/{pk}/documents/(\d+)/", page.text))
        download = browser.call("GET", b, f"/requests/{pk}/documents/{document}/")
        assert download.status_code == 200 and download.content == PDF
        [stored] = rows(database, "SELECT file FROM cases_requestdocument")
        assert s3_server.keys(bucket) == [stored[0]]

        # The outbox: both workers run the delivery job; every message is sent, each exactly once.
        enqueue = "from daiban.notifications.tasks import deliver_outbox; deliver_outbox(); deliver_outbox()"
        cluster.manage("shell", "-c", enqueue)

        def all_sent() -> bool:
            statuses = rows(database, "SELECT status FROM notifications_outboundmessage")
            return bool(statuses) and {s for (s,) in statuses} == {"sent"}

        wait_until(all_sent, seconds=60, what="every message sent")
        sms_keys = {
            str(k)
            for (k,) in rows(
                database, "SELECT delivery_key FROM notifications_outboundmessage WHERE channel = 'sms'"
            )
        }
        assert len(sms_keys) == 2  # the coordinator and the representative
        assert dict(gateway.receipts) == dict.fromkeys(sms_keys, 1)

        # The daily jobs: both workers tick and catch up on start; each job runs once for its day.

        def all_covered() -> bool:
            covered = rows(database, "SELECT job FROM common_dailyjobrun WHERE covered_on IS NOT NULL")
            return len(covered) >= 3 and len(covered) == len(
                rows(database, "SELECT job FROM common_dailyjobrun")
            )

        wait_until(all_covered, seconds=60, what="every daily job covered")
        jobs = {name for (name,) in rows(database, "SELECT job FROM common_dailyjobrun")}
        logs = "".join(log.read_text(errors="replace") for log in workers)
        for job in jobs:
            assert len(re.findall(rf"daily job {re.escape(job)} covered ", logs)) == 1, job
    finally:
        cluster.stop()
        gateway.stop()
