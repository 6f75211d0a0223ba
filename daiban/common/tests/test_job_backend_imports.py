"""The job queue loads the Redis client only where it is used: a process without REDIS_URL (the embedded
SQLite queue) never imports it (a third of a second of every command's start), one with REDIS_URL gets a
Redis-backed queue. Each runs in a fresh process, as a command or worker would."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import sys, django; django.setup(); from huey.contrib.djhuey import HUEY; "
    "print(type(HUEY).__name__, sys.modules.get('redis') is None, 'redis.asyncio' in sys.modules)"
)


def _probe(**environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | environment
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    result = subprocess.run(  # noqa: S603  (our own interpreter and probe)
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_redis_url_the_redis_client_is_never_imported():
    assert _probe() == "SqliteHuey True False"  # marked absent, its asyncio client never loaded


def test_with_redis_url_the_queue_is_redis_backed():
    assert _probe(REDIS_URL="redis://127.0.0.1:6379/13") == "RedisHuey False True"  # no server contacted
