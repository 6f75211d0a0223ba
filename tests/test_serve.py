"""The production server as `make serve` starts it: gunicorn with config/gunicorn.conf.py and the
production settings, answering liveness and readiness (against a SQLite file here; PostgreSQL in a
deployment)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    # The header as the proxy sends it; a loopback URL.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a loopback URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_liveness_and_readiness_with_production_settings(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "a-test-only-secret-key-that-is-long-enough-for-the-checks-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'daiban.sqlite3'}",
        "DAIBAN_VAR_DIR": str(tmp_path),
        "DAIBAN_MEDIA_ROOT": str(tmp_path / "media"),
        "DAIBAN_BIND": f"127.0.0.1:{port}",
        "DAIBAN_WEB_WORKERS": "2",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(  # noqa: S603 - our own server with fixed arguments
        [str(GUNICORN), "--config", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:] if server.stderr else ""
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        assert (status, body) == (200, b"ok")
        assert headers["Server"].startswith("gunicorn")
        status, _, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"] == {"database": "ok", "storage": "ok"}
    finally:
        server.terminate()
        server.wait(30)
