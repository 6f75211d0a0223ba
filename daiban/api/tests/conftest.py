import json
import secrets
import time

import pytest
from django.test import Client

from daiban.api import signing
from daiban.api.models import ApiClient, Scope
from daiban.api.services import issue_key
from daiban.cases.services import mark_ready, start_collecting
from daiban.cases.tests.chains import receive_all
from daiban.cases.tests.conftest import (  # noqa: F401 - the cases fixtures, reused
    clock,
    dispatched,
    items,
    park_project,
    rep,
    staff,
    town_project,
)
from daiban.organizations.models import Role


class SignedClient:
    """A test client that signs every call like an external system."""

    def __init__(self, key_id, secret):
        self.key_id, self.secret, self.http = key_id, secret, Client()

    def headers(self, method, path, body, *, timestamp=None, nonce=""):
        value = signing.authorization_header(
            key_id=self.key_id,
            secret=self.secret,
            method=method,
            full_path=path,
            body=body,
            timestamp=int(time.time()) if timestamp is None else timestamp,
            nonce=nonce or secrets.token_hex(8),
        )
        return {"HTTP_AUTHORIZATION": value}

    def get(self, path, **extra):
        return self.http.get(path, **self.headers("GET", path, b""), **extra)

    def post(self, path, data, **extra):
        body = json.dumps(data).encode()
        return self.http.post(
            path, body, content_type="application/json", **self.headers("POST", path, body), **extra
        )


@pytest.fixture
def make_client(youyang):
    def make(*scopes, jurisdiction=None, **fields):
        client = ApiClient.objects.create(
            name="工改系统", jurisdiction=jurisdiction or youyang, scopes=list(scopes), **fields
        )
        issued = issue_key(client=client, by=None)
        signed = SignedClient(issued.key.key_id, issued.secret)
        signed.client = client  # type: ignore[attr-defined]
        signed.key = issued.key  # type: ignore[attr-defined]
        return signed

    return make


@pytest.fixture
def approval_system(make_client):
    return make_client(Scope.READ_CASES, Scope.POST_ITEM_EVENTS, Scope.READ_CATALOGUE)


@pytest.fixture
def permit(dispatched):
    """The construction permit of a dispatched park request (agent: park_agent2)."""
    return dispatched.items.get(approval_item__code="construction-permit")


@pytest.fixture
def reviewer(youyang, make_staff):
    """The construction permit's section reviewer (住建委 施工许可科): approval-system decisions land here."""
    return make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")


@pytest.fixture
def ready(permit, staff):
    """The permit, collected and ready to be filed by its agent."""
    agent = staff["park_agent2"]
    item = start_collecting(item=permit, by=agent, expected_version=permit.version)
    receive_all(item, agent)
    return mark_ready(item=item, by=agent, expected_version=item.version)
