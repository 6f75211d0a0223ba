"""Readiness checks for the proxy and the orchestrator in front of several app servers: each one really uses
what it checks (a query, a Redis PING, a file written and removed) and says what failed, never raises."""

import logging
import uuid
from collections.abc import Callable

import redis
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2


def _failure(check: Callable[[], object]) -> str:
    """'' when the check went through, else the error in one line."""
    try:
        check()
    except Exception as exc:
        logger.warning("readiness check failed: %s", exc)
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    return ""


def database_failure(connection: BaseDatabaseWrapper) -> str:
    def query() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    failure = _failure(query)
    if failure:
        connection.close_if_unusable_or_obsolete()  # the next request connects afresh
    return failure


def redis_failure(url: str) -> str:
    def ping() -> None:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()

    return _failure(ping)


def storage_failure(storage: Storage) -> str:
    def write_and_remove() -> None:
        name = storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        storage.delete(name)

    return _failure(write_and_remove)
