"""The HTTP SMS adapter against a real socket that misbehaves in every way a gateway can: each fault is one
failed attempt with back-off, the run goes on with the other messages, and nothing is sent twice by us."""

import datetime as dt
import json
import time
from typing import ClassVar

import pytest
from django.db import connection
from django.utils import timezone

from daiban.common.outbox import BREAKER_FAILURES, backoff
from daiban.notifications.models import OutboundMessage
from daiban.notifications.services import (
    claim_lease,
    claim_next,
    deliver_pending,
    notify,
    record_outcome,
)
from daiban.organizations.tests.factories import UserFactory

from .fake_gateway import FakeGateway, free_port

DEADLINE = 1.0


@pytest.fixture
def gateway(settings):
    server = FakeGateway().start()
    settings.DAIBAN_SMS_GATEWAY = "daiban.notifications.channels.HttpSmsGateway"
    settings.DAIBAN_SMS_URL = server.url
    settings.DAIBAN_SMS_DEADLINE_SECONDS = DEADLINE
    yield server
    server.stop()


@pytest.fixture
def three(db):
    people = [UserFactory.create(mobile=f"1380013800{i}") for i in range(3)]
    notify(recipients=people, verb="item.overdue", title="超期预警", body="请尽快办理")
    assert OutboundMessage.objects.filter(channel="sms").count() == 3
    return people


def keys() -> set[str]:
    return {str(k) for k in OutboundMessage.objects.values_list("delivery_key", flat=True)}


def test_an_answering_gateway_gets_each_message_once_with_its_key(gateway, three):
    assert deliver_pending() == {"sent": 3, "retry": 0, "failed": 0}
    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert set(gateway.receipts) == keys()
    assert set(gateway.receipts.values()) == {1}
    assert json.loads(gateway.bodies[0])["text"] == "超期预警 请尽快办理"


def run_failing(gateway: FakeGateway, mode: str) -> tuple[dict[str, int], float]:
    gateway.mode = mode
    now = timezone.now()
    started = time.monotonic()
    counts = deliver_pending(now=now)
    took = time.monotonic() - started
    for message in OutboundMessage.objects.all():
        assert message.status == "pending"
        assert message.attempts == 1
        assert message.claim_token is None
        assert message.next_attempt_at == now + backoff(1)
        assert message.last_error
    assert deliver_pending(now=now) == {"sent": 0, "retry": 0, "failed": 0}  # back-off respected
    return counts, took


@pytest.mark.parametrize("mode", ["500", "garbage", "hang", "trickle"])
def test_a_misbehaving_gateway_costs_one_attempt_per_message_and_no_crash(gateway, three, mode):
    counts, took = run_failing(gateway, mode)
    assert counts == {"sent": 0, "retry": 3, "failed": 0}
    assert sum(gateway.receipts.values()) == 3  # each message reached it once
    assert all(error.isprintable() for error in OutboundMessage.objects.values_list("last_error", flat=True))
    if mode in {"hang", "trickle"}:  # one total deadline per attempt, not one per read
        assert 3 * DEADLINE <= took < 3 * DEADLINE + 2
    # the gateway recovers: the next due run sends each message once more, now accepted
    gateway.mode = "ok"
    assert deliver_pending(now=timezone.now() + dt.timedelta(minutes=2)) == {
        "sent": 3,
        "retry": 0,
        "failed": 0,
    }
    assert set(gateway.receipts) == keys()
    assert set(gateway.receipts.values()) == {2}  # the failed attempt and the accepted one, same key


def test_a_refusing_gateway_is_a_failed_attempt(gateway, three, settings):
    settings.DAIBAN_SMS_URL = f"http://127.0.0.1:{free_port()}/sms"
    counts, took = run_failing(gateway, "ok")
    assert counts == {"sent": 0, "retry": 3, "failed": 0}
    assert took < 1
    assert "ConnectionRefusedError" in OutboundMessage.objects.earliest("id").last_error


def test_a_slow_gateway_within_the_deadline_is_a_success(gateway, three):
    gateway.delay = DEADLINE / 3
    assert deliver_pending() == {"sent": 3, "retry": 0, "failed": 0}
    assert set(gateway.receipts.values()) == {1}


def test_an_adapter_that_raises_anything_costs_one_attempt(three, settings):
    settings.DAIBAN_SMS_GATEWAY = "daiban.notifications.tests.test_gateway_faults.BrokenAdapter"
    now = timezone.now()
    assert deliver_pending(now=now) == {"sent": 0, "retry": 3, "failed": 0}
    message = OutboundMessage.objects.earliest("id")
    assert message.last_error == "KeyError: 'surprise'"
    assert message.next_attempt_at == now + backoff(1)


class BrokenAdapter:
    def send(self, address: str, title: str, body: str, *, key: str) -> None:
        raise KeyError("surprise")


def test_a_claim_that_ran_out_is_taken_again_and_the_late_outcome_is_dropped(db, settings):
    settings.DAIBAN_SMS_GATEWAY = "daiban.notifications.channels.RecordingSmsGateway"
    notify(recipients=[UserFactory.create(mobile="13800138000")], verb="a.b", title="t")
    now = timezone.now()
    first = claim_next(now=now)
    assert first is not None and first.attempts == 1
    assert claim_next(now=now) is None  # claimed: not due for anyone else
    assert claim_next(now=now + claim_lease() - dt.timedelta(seconds=1)) is None
    second = claim_next(now=now + claim_lease())  # its worker died: the lease ran out
    assert second is not None and second.attempts == 2 and second.claim_token != first.claim_token
    assert record_outcome(message=first, error=None, now=now) is None  # no longer its claim
    assert record_outcome(message=second, error=None, now=now) == "sent"
    assert OutboundMessage.objects.get().status == "sent"


class SpyAdapter:
    """Notes whether a transaction is open while it is asked to send."""

    in_transaction: ClassVar[list[bool]] = []

    def send(self, address: str, title: str, body: str, *, key: str) -> None:
        SpyAdapter.in_transaction.append(connection.in_atomic_block)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_a_channel_sends(settings):
    """A gateway that hangs must hold no lock: claim and record are short transactions, sending is not in
    one."""
    settings.DAIBAN_SMS_GATEWAY = "daiban.notifications.tests.test_gateway_faults.SpyAdapter"
    SpyAdapter.in_transaction.clear()
    notify(recipients=[UserFactory.create(mobile=f"1380013800{i}") for i in range(3)], verb="a.b", title="t")
    assert deliver_pending() == {"sent": 3, "retry": 0, "failed": 0}
    assert SpyAdapter.in_transaction == [False, False, False]


@pytest.mark.django_db
def test_a_hanging_gateway_costs_a_run_a_few_deadlines_not_one_per_message(gateway):
    people = [UserFactory.create(mobile=f"1390013900{i}", email=f"p{i}@example.cn") for i in range(6)]
    notify(recipients=people, verb="item.overdue", title="超期预警")
    gateway.mode = "hang"
    started = time.monotonic()
    counts = deliver_pending()
    took = time.monotonic() - started
    assert counts == {"sent": 6, "retry": BREAKER_FAILURES, "failed": 0}  # e-mail went out all the same
    assert took < (BREAKER_FAILURES + 1) * DEADLINE + 1
    sms = OutboundMessage.objects.filter(channel="sms")
    assert sorted(sms.values_list("attempts", flat=True)) == [0, 0, 0, 1, 1, 1]  # the rest wait, untouched
    assert sms.filter(status="pending").count() == 6
