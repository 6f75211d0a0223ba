"""Liveness and readiness, tested by really stopping what they check: a Redis server this test starts and
stops, a PostgreSQL address where nothing listens, storage that cannot be written, a database connection
that fails every query — and the Chinese 503 page when the database drops while a page is served."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection
from django.db.utils import ConnectionHandler

from daiban.common.health import database_failure, redis_failure, storage_failure


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def database_down(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - a fixed command
        ["redis-server", "--port", str(port), "--dir", str(tmp_path), "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while redis_failure(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield url, server
    server.terminate()
    server.wait(10)


@pytest.mark.django_db
def test_ready_when_everything_answers(client, settings, redis_server):
    settings.REDIS_URL = redis_server[0]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "storage": "ok", "redis": "ok"},
    }


@pytest.mark.django_db
def test_not_ready_when_redis_is_stopped(client, settings, redis_server):
    url, server = redis_server
    settings.REDIS_URL = url
    assert client.get("/readyz").status_code == 200
    server.terminate()
    server.wait(10)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert "ConnectionError" in response.json()["checks"]["redis"]
    assert client.get("/healthz").status_code == 200  # alive all the same: no restart for an outage


@pytest.mark.django_db
def test_redis_is_not_checked_when_the_jobs_do_not_use_it(client, settings):
    settings.REDIS_URL = ""
    assert "redis" not in client.get("/readyz").json()["checks"]


@pytest.mark.django_db
def test_not_ready_when_the_database_fails(client):
    with connection.execute_wrapper(database_down):
        response = client.get("/readyz")
        assert client.get("/healthz").content == b"ok"
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["checks"]["database"].startswith("OperationalError: server closed")


def test_a_postgresql_address_where_nothing_listens_is_reported(django_db_blocker):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "daiban",
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": str(free_port()),
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )
    started = time.monotonic()
    with django_db_blocker.unblock():  # a connection of its own, not the test database
        failure = database_failure(handler["default"])
    assert failure.startswith("OperationalError")
    assert "refused" in failure or "failed" in failure
    assert time.monotonic() - started < 5
    handler.close_all()


@pytest.mark.django_db
def test_not_ready_when_uploads_cannot_be_written(client, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the media directory should be")
    assert storage_failure(FileSystemStorage(location=blocked / "media"))
    assert storage_failure(FileSystemStorage(location=tmp_path / "media")) == ""
    assert not list((tmp_path / "media" / "healthz").iterdir())  # the probe cleans up after itself
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked / "media")},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]


@pytest.mark.django_db
def test_a_database_that_drops_mid_request_gives_the_chinese_503_page(client):
    client.force_login(get_user_model().objects.create_user(username="someone", password="pw-for-tests-1"))
    client.raise_request_exception = False  # answer as the server would, not re-raise into the test
    with connection.execute_wrapper(database_down):
        response = client.get("/notifications/")  # fails first where the session is read, in middleware
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "服务暂时不可用" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert client.get("/notifications/").status_code == 200  # back without a restart
