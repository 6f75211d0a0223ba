"""Schemathesis over the whole API schema, in-process (WSGI), with a bounded number of examples per
operation: no server error, and every response matches the schema (status, media type, body). Run signed
in (the session path) and anonymously; the signed-client path is covered by the other tests."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from daiban.api.api import api
from daiban.organizations.tests.factories import UserFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


fuzzed = schemathesis.openapi.from_dict(api.get_openapi_schema())
fuzzed.app = get_wsgi_application()


@pytest.fixture
def _connection_kept_open() -> Iterator[None]:
    """Schemathesis calls the WSGI application itself, whose request signals close "old" database
    connections — on PostgreSQL, the test's own connection with its open transaction. Django's test client
    disconnects that handler for the same reason; so does this, for the run."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def agent_session(db, _connection_kept_open):
    """A signed-in person (an enterprise user: no organisation data is loaded, to keep the run short)."""
    cache.clear()
    http = Client()
    http.force_login(UserFactory.create())
    return http.cookies["sessionid"].value


@fuzzed.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_schema(case, agent_session):
    cache.clear()  # the rate limit is not what is under test here
    for cookies in ({"sessionid": agent_session}, {}):
        response = case.call(cookies=cookies)
        case.validate_response(response, checks=CHECKS)
