"""Every log line of a request carries its request id — the proxy's X-Request-ID when valid, else a new one,
returned in the response — and in production each line is one JSON object a log collector can read."""

import copy
import io
import json
import logging
import uuid
from collections.abc import Iterator
from logging.config import dictConfig
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from daiban.common.access import public

logger = logging.getLogger("daiban.test_request_logs")


@public
def logs_one_line(request: HttpRequest) -> HttpResponse:
    logger.warning("申请已受理 %s", "R-1")
    return HttpResponse("ok")


urlpatterns = [path("log-one-line/", logs_one_line)]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The logging configuration as production sets it (JSON formatter), writing into a buffer."""
    stream = io.StringIO()
    config: dict[str, Any] = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"].update(formatter="json", stream=stream)
    dictConfig(config)
    yield stream
    dictConfig(settings.LOGGING)


def logged(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if "申请已受理" in line]


@override_settings(ROOT_URLCONF=__name__)
def test_a_request_gets_an_id_that_every_log_line_carries(json_lines):
    response = Client().get("/log-one-line/")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = logged(json_lines)
    assert line["request_id"] == request_id
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", logger.name, "申请已受理 R-1")
    assert "time" in line


@override_settings(ROOT_URLCONF=__name__)
def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(json_lines):
    given = uuid.uuid4().hex
    assert Client().get("/log-one-line/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    forged = Client().get("/log-one-line/", HTTP_X_REQUEST_ID='"}\n{"level":"CRITICAL"')["X-Request-ID"]
    assert forged != '"}\n{"level":"CRITICAL"' and len(forged) == 32
    assert [line["request_id"] for line in logged(json_lines)] == [given, forged]
