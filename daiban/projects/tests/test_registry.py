"""The project-code lookup against a fake 投资项目在线审批监管平台 on a real socket: a known code passes, an
unknown one and every fault (down, 500, hanging, garbage) give a Chinese message beside the field, and a
hanging platform costs the form the configured deadline, not more."""

import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from daiban.projects.forms import ProjectFieldsForm
from daiban.projects.registry import RegistryError, lookup_project_code

KNOWN = "2025-500242-47-03-000123"
OTHER = "2025-500242-47-03-000999"


class FakeRegistry(http.server.ThreadingHTTPServer):
    mode: ClassVar[str] = "ok"
    paths: ClassVar[list[tuple[str, str]]] = []


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        FakeRegistry.paths.append((self.path, self.headers.get("Authorization", "")))
        mode = FakeRegistry.mode
        if mode == "hang":
            time.sleep(3)
        if mode == "500":
            self._answer(500, b"")
        elif mode == "garbage":
            self._answer(200, b"<html>maintenance</html>")
        elif self.path == f"/api/projects/{KNOWN}":
            self._answer(200, json.dumps({"code": KNOWN, "name": "酉阳某项目", "status": "备案"}).encode())
        else:
            self._answer(404, b'{"error":"not found"}')

    def _answer(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (the hanging case)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def registry(settings: Any) -> Iterator[FakeRegistry]:
    server = FakeRegistry(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeRegistry.mode, FakeRegistry.paths = "ok", []
    settings.DAIBAN_PROJECT_REGISTRY_URL = f"http://127.0.0.1:{server.server_address[1]}/api/"
    settings.DAIBAN_PROJECT_REGISTRY_TOKEN = "registry-token"
    settings.DAIBAN_PROJECT_REGISTRY_TIMEOUT_SECONDS = 1.0
    yield server
    server.shutdown()
    server.server_close()


def test_a_known_code_is_found(registry):
    found = lookup_project_code(KNOWN)
    assert (found.code, found.name, found.status) == (KNOWN, "酉阳某项目", "备案")
    assert FakeRegistry.paths == [(f"/api/projects/{KNOWN}", "Bearer registry-token")]


@pytest.mark.parametrize(
    ("mode", "code", "says"),
    [
        ("ok", OTHER, "不认识"),
        ("500", KNOWN, "500"),
        ("garbage", KNOWN, "无法识别"),
        ("hang", KNOWN, "无法连接"),
    ],
)
def test_every_failure_is_a_chinese_message(registry, mode, code, says):
    FakeRegistry.mode = mode
    started = time.monotonic()
    with pytest.raises(RegistryError) as raised:
        lookup_project_code(code)
    assert says in str(raised.value)
    assert time.monotonic() - started < 2.5  # the 1 s deadline, not the platform's 3 s


def test_a_platform_that_is_down_is_a_chinese_message(registry):
    registry.shutdown()
    registry.server_close()
    with pytest.raises(RegistryError) as raised:
        lookup_project_code(KNOWN)
    assert "无法连接" in str(raised.value)


def form_errors(code: str) -> list[str]:
    form = ProjectFieldsForm(data={"project_code": code})
    form.is_valid()
    return [str(e) for e in form.errors.get("project_code", [])]


def test_the_project_form_looks_the_code_up(registry):
    assert form_errors(KNOWN) == []
    assert any("不认识" in e for e in form_errors(OTHER))
    calls = len(FakeRegistry.paths)
    assert form_errors("2025-12") and len(FakeRegistry.paths) == calls  # a bad format is not looked up


def test_without_a_configured_platform_only_the_format_is_checked(settings):
    settings.DAIBAN_PROJECT_REGISTRY_URL = ""
    assert form_errors(OTHER) == []
