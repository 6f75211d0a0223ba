import datetime as dt

import pytest
from django.core import mail
from django.db import DatabaseError
from django.utils import timezone

from daiban.common.outbox import MAX_ATTEMPTS, backoff
from daiban.common.tests.faults import inserts_refused
from daiban.notifications.channels import RecordingSmsGateway
from daiban.notifications.models import OnceKey, OutboundMessage
from daiban.notifications.services import deliver_pending, notify, notify_once
from daiban.organizations.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def gateway():
    RecordingSmsGateway.sent.clear()
    RecordingSmsGateway.keys.clear()
    RecordingSmsGateway.down = False
    yield RecordingSmsGateway
    RecordingSmsGateway.down = False


@pytest.fixture
def person(db):
    return UserFactory.create(mobile="13800138000", email="agent@example.cn")


def test_each_notification_goes_out_by_sms_and_email(person, gateway):
    notify(recipients=[person], verb="item.due_soon", title="临期提醒", body="请尽快办理")
    assert set(OutboundMessage.objects.values_list("channel", "address")) == {
        ("sms", "13800138000"),
        ("email", "agent@example.cn"),
    }
    assert deliver_pending() == {"sent": 2, "retry": 0, "failed": 0}
    assert gateway.sent == [("13800138000", "临期提醒")]
    assert gateway.keys == [str(OutboundMessage.objects.get(channel="sms").delivery_key)]
    assert mail.outbox[0].subject == "临期提醒"
    email_key = OutboundMessage.objects.get(channel="email").delivery_key
    assert mail.outbox[0].extra_headers["Idempotency-Key"] == str(email_key)
    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}  # running twice sends nothing twice
    assert len(gateway.sent) == 1


def test_nothing_is_lost_while_the_gateway_is_down(person, gateway):
    notify(recipients=[person], verb="item.overdue", title="超期预警")
    gateway.down = True
    now = timezone.now()
    assert deliver_pending(now=now)["retry"] == 1
    message = OutboundMessage.objects.get(channel="sms")
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "gateway unavailable")
    assert message.next_attempt_at == now + backoff(1)
    assert deliver_pending(now=now)["retry"] == 0  # not due yet: back-off respected
    later = now + dt.timedelta(minutes=1)
    deliver_pending(now=later)
    assert OutboundMessage.objects.get(channel="sms").attempts == 2
    gateway.down = False  # the gateway comes back
    deliver_pending(now=later + dt.timedelta(hours=1))
    message.refresh_from_db()
    assert message.status == "sent"
    assert gateway.sent == [("13800138000", "超期预警")]


def test_a_message_is_given_up_only_after_many_attempts(person, gateway):
    notify(recipients=[person], verb="x.y", title="t")
    gateway.down = True
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        now += dt.timedelta(hours=7)
        deliver_pending(now=now)
    message = OutboundMessage.objects.get(channel="sms")
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == dt.timedelta(hours=6)


def test_notify_once_sends_once(person):
    assert notify_once(key="due_soon:1:2026-10-08", recipients=[person], verb="a.b", title="一次")
    assert notify_once(key="due_soon:1:2026-10-08", recipients=[person], verb="a.b", title="一次") == []
    assert person.notifications.count() == 1


def test_notify_once_keeps_no_key_when_the_notification_fails(person):
    """The key and the notification commit together: a database error in between leaves neither, and the
    next run sends the reminder."""
    with inserts_refused("notifications_notification", "verb", "item.overdue"), pytest.raises(DatabaseError):
        notify_once(key="overdue:7:2026-10-08", recipients=[person], verb="item.overdue", title="超期")
    assert not OnceKey.objects.exists()
    assert notify_once(key="overdue:7:2026-10-08", recipients=[person], verb="item.overdue", title="超期")
    assert OnceKey.objects.get().key == "overdue:7:2026-10-08"
