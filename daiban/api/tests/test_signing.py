"""Who may call: signatures, timestamps, nonces, revoked and rotated keys, rate limits, audit."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from daiban.api.models import Scope
from daiban.api.services import revoke_key, rotate_key
from daiban.common.models import AuditEntry

PATH = "/api/v1/requests"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_a_signed_call_is_answered_and_audited(make_client):
    signed = make_client(Scope.READ_CASES)
    response = signed.get(PATH)
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.filter(verb="api.called").latest("id")
    assert entry.target_id == str(signed.client.pk) and PATH in entry.target_label


def test_a_wrong_signature_is_refused(make_client):
    signed = make_client(Scope.READ_CASES)
    signed.secret = "0" * 64
    response = signed.get(PATH)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "signature_invalid"
    assert AuditEntry.objects.filter(verb="api.call_refused").exists()


def test_an_old_timestamp_is_refused(make_client):
    signed = make_client(Scope.READ_CASES)
    headers = signed.headers("GET", PATH, b"", timestamp=int(time.time()) - 301)
    response = signed.http.get(PATH, **headers)
    assert response.status_code == 401 and response.json()["code"] == "timestamp_out_of_range"


def test_a_replayed_nonce_is_refused(make_client):
    signed = make_client(Scope.READ_CASES)
    headers = signed.headers("GET", PATH, b"", nonce="same-nonce-1")
    assert signed.http.get(PATH, **headers).status_code == 200
    again = signed.http.get(PATH, **headers)
    assert again.status_code == 401 and again.json()["code"] == "nonce_replayed"


def test_a_tampered_body_is_refused(make_client, dispatched):
    signed = make_client(Scope.POST_ITEM_EVENTS)
    item = dispatched.items.first()
    path = f"/api/v1/items/{item.pk}/events"
    headers = signed.headers("POST", path, b'{"event_id": "a"}')
    response = signed.http.post(path, b'{"event_id": "b"}', content_type="application/json", **headers)
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"


def test_a_revoked_key_is_refused(make_client):
    signed = make_client(Scope.READ_CASES)
    revoke_key(key=signed.key, by=None)
    response = signed.get(PATH)
    assert response.status_code == 401 and response.json()["code"] == "key_invalid"


def test_rotation_keeps_the_old_key_for_the_grace_period(make_client):
    signed = make_client(Scope.READ_CASES)
    issued = rotate_key(client=signed.client, by=None, grace=dt.timedelta(hours=1))
    assert signed.get(PATH).status_code == 200  # old key, within grace
    new = type(signed)(issued.key.key_id, issued.secret)
    assert new.get(PATH).status_code == 200
    signed.key.refresh_from_db()
    signed.key.expires_at = timezone.now() - dt.timedelta(seconds=1)
    signed.key.save()
    assert signed.get(PATH).status_code == 401


def test_the_secret_is_not_stored(make_client):
    signed = make_client(Scope.READ_CASES)
    signed.key.refresh_from_db()
    stored = {signed.key.key_id, signed.key.salt, signed.key.fingerprint}
    assert signed.secret not in stored


def test_rate_limit_answers_429_with_retry_after(make_client):
    signed = make_client(Scope.READ_CASES, rate_limit_per_minute=2)
    assert signed.get(PATH).status_code == 200
    assert signed.get(PATH).status_code == 200
    response = signed.get(PATH)
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 60


def test_anonymous_is_401_problem(db):
    response = Client().get(PATH)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated" and response.json()["detail"]


def test_a_session_write_needs_csrf(dispatched, staff):
    http = Client(enforce_csrf_checks=True)
    http.force_login(staff["park_agent"])
    item = dispatched.items.first()
    response = http.post(f"/api/v1/items/{item.pk}/events", {}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


def test_anonymous_public_calls_are_limited_per_address_and_audited(db, monkeypatch):
    monkeypatch.setattr("daiban.api.auth.ANONYMOUS_RATE_PER_MINUTE", 2)
    one, other = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    assert [one.get("/api/v1/jurisdictions").status_code for _ in range(3)] == [200, 200, 429]
    assert one.get("/api/v1/jurisdictions").json()["code"] == "rate_limited"
    assert other.get("/api/v1/jurisdictions").status_code == 200  # another address, its own count
    labels = list(AuditEntry.objects.filter(verb="api.called").values_list("target_label", flat=True))
    assert labels.count("GET /api/v1/jurisdictions (anonymous:10.0.0.1)") == 2
    assert labels.count("GET /api/v1/jurisdictions (anonymous:10.0.0.2)") == 1
