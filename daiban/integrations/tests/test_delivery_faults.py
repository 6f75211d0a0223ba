"""A subscriber that misbehaves, as the SMS gateway does in daiban/notifications/tests/test_gateway_faults.py:
refused, 500, hang, trickle, garbage, slow. The webhook outbox runs the common runner, so each fault costs
one failed attempt per delivery (a printable reason, back-off), never a crash, and a run is bounded by a few
deadlines however many deliveries wait; a slow answer within the deadline is a success."""

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from daiban.common.audit import AuditVerb, record
from daiban.common.outbox import BREAKER_FAILURES, backoff
from daiban.integrations.models import EventType, WebhookDelivery, WebhookSubscription
from daiban.integrations.services import deliver_pending, fan_out
from daiban.notifications.tests.fake_gateway import FakeGateway
from daiban.organizations.models import Jurisdiction

DEADLINE = 1.0
EVENTS = 5

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings: Any) -> Iterator[FakeGateway]:
    server = FakeGateway().start()
    settings.DAIBAN_WEBHOOK_DEADLINE_SECONDS = DEADLINE
    yield server
    server.stop()


@pytest.fixture
def queued(gateway: FakeGateway) -> list[str]:
    county = Jurisdiction.objects.create(code="500242", name="酉阳")
    WebhookSubscription.objects.create(
        jurisdiction=county, name="工改", url=gateway.url, event_types=[EventType.REQUEST_SUBMITTED]
    )
    fan_out()
    for _ in range(EVENTS):
        record(actor=None, verb=AuditVerb.REQUEST_SUBMITTED, target=county)
    assert fan_out()["queued"] == EVENTS
    return [str(k) for k in WebhookDelivery.objects.values_list("delivery_key", flat=True)]


def test_an_answering_subscriber_gets_each_delivery_once_with_its_key(gateway, queued):
    assert deliver_pending() == {"sent": EVENTS, "retry": 0, "failed": 0}
    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert set(gateway.receipts) == set(queued)
    assert set(gateway.receipts.values()) == {1}


@pytest.mark.parametrize("mode", ["500", "garbage", "hang", "trickle"])
def test_a_misbehaving_subscriber_costs_one_attempt_and_the_run_a_few_deadlines(gateway, queued, mode):
    gateway.mode = mode
    started = time.monotonic()
    counts = deliver_pending()
    took = time.monotonic() - started
    # the breaker leaves the subscriber alone after BREAKER_FAILURES failures in a row
    assert counts == {"sent": 0, "retry": BREAKER_FAILURES, "failed": 0}
    assert took < BREAKER_FAILURES * DEADLINE + 1.5
    tried = WebhookDelivery.objects.filter(attempts=1)
    assert tried.count() == BREAKER_FAILURES
    assert all(error and error.isprintable() for error in tried.values_list("last_error", flat=True))
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"pending"}
    # the next run tries the deliveries the breaker left alone, and not the others (backing off)
    assert deliver_pending() == {"sent": 0, "retry": EVENTS - BREAKER_FAILURES, "failed": 0}
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}
    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}

    gateway.mode = "ok"
    later = timezone.now() + backoff(1) + dt.timedelta(seconds=1)
    assert deliver_pending(now=later) == {"sent": EVENTS, "retry": 0, "failed": 0}
    assert set(gateway.receipts) == set(queued)  # nothing lost


def test_a_refusing_subscriber_is_a_failed_attempt(gateway, queued):
    gateway.stop()
    assert deliver_pending() == {"sent": 0, "retry": BREAKER_FAILURES, "failed": 0}
    assert "Connection" in WebhookDelivery.objects.filter(attempts=1).earliest("id").last_error


def test_a_slow_subscriber_within_the_deadline_is_a_success(gateway, queued):
    gateway.delay = DEADLINE / 3
    assert deliver_pending() == {"sent": EVENTS, "retry": 0, "failed": 0}
    assert set(gateway.receipts.values()) == {1}
