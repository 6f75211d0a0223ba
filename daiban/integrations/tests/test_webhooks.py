"""Outbound webhooks end to end: events derived from the committed audit trail, delivered signed to a real
HTTP subscriber, retried while it is down, bounded against duplicates, never for a rolled-back change."""

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from daiban.cases.reminders import sweep_deadlines
from daiban.cases.services import assign_agent, start_collecting, submit_request
from daiban.cases.tests.chains import file_it
from daiban.cases.tests.conftest import data
from daiban.common.models import AuditEntry
from daiban.common.outbox import backoff
from daiban.integrations import signing
from daiban.integrations.models import EventType, WebhookDelivery, WebhookSubscription
from daiban.integrations.services import deliver_pending, fan_out, replay_delivery
from daiban.notifications.models import Notification
from daiban.organizations.models import Role
from daiban.workdays.services import seed_calendar_from_library

from .subscriber import Subscriber


def events(subscriber: Subscriber) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in subscriber.received]


def test_a_subscriber_receives_each_event_signed_and_verifies_it(subscription, subscriber, accepted):
    counts = fan_out()
    assert counts["queued"] == 2  # submitted, accepted: the item did not move yet
    assert deliver_pending() == {"sent": 2, "retry": 0, "failed": 0}

    got = events(subscriber)
    assert [e["type"] for e in got] == [EventType.REQUEST_SUBMITTED, EventType.REQUEST_ACCEPTED]
    assert got[1]["object"] == {"type": "request", "id": str(accepted.pk), "label": str(accepted)}
    assert got[1]["state"] == {"before": "submitted", "after": "accepted"}
    assert got[1]["jurisdiction"] == "500242"
    for request, event in zip(subscriber.received, got, strict=True):
        assert request.path == "/hooks/daiban"
        assert request.headers["x-daiban-event"] == event["type"]
        assert request.headers["x-daiban-delivery"] == event["id"] == request.headers["idempotency-key"]
        ok = signing.verify(
            subscription.secret,
            timestamp=request.headers["x-daiban-timestamp"],
            body=request.body,
            signature=request.headers["x-daiban-signature"],
        )
        assert ok
    first = subscriber.received[0]
    stamp, signature = first.headers["x-daiban-timestamp"], first.headers["x-daiban-signature"]
    assert not signing.verify("another secret", timestamp=stamp, body=first.body, signature=signature)
    assert not signing.verify(
        subscription.secret, timestamp=stamp, body=first.body + b" ", signature=signature
    )
    assert not signing.verify(
        subscription.secret, timestamp=stamp, body=first.body, signature=signature, now=int(stamp) + 301
    )
    assert not signing.verify(subscription.secret, timestamp="soon", body=first.body, signature=signature)
    assert WebhookDelivery.objects.filter(status="sent").count() == 2


def test_item_moves_reach_the_subscriber_as_state_changes(subscription, subscriber, accepted, staff):
    fan_out()
    item = accepted.items.get()
    before = item.state
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])  # not a move of the item
    item.refresh_from_db()
    item = start_collecting(item=item, by=staff["park_agent"], expected_version=item.version)
    fan_out()
    deliver_pending()
    moves = [e for e in events(subscriber) if e["type"] == EventType.ITEM_STATE_CHANGED]
    assert len(moves) == 1
    assert moves[0]["object"] == {"type": "item", "id": str(item.pk), "label": str(item)}
    assert moves[0]["state"] == {"before": before, "after": item.state}
    assert moves[0]["action"] == "item.collection_started"


def test_only_the_chosen_events_of_the_own_jurisdiction_go_out(subscription, subscriber, accepted, dazu):
    WebhookSubscription.objects.create(
        jurisdiction=dazu, name="大足", url=subscriber.url, event_types=list(EventType.values)
    )
    subscription.event_types = [EventType.REQUEST_ACCEPTED]
    subscription.save()
    fan_out()
    assert list(WebhookDelivery.objects.values_list("event_type", "subscription")) == [
        (EventType.REQUEST_ACCEPTED, subscription.pk)
    ]


def test_a_subscriber_that_is_down_gets_the_delivery_after_it_comes_back(subscription, subscriber, accepted):
    subscriber.stop()
    assert subscriber.refuses_connections()
    fan_out()
    counts = deliver_pending()
    assert counts == {"sent": 0, "retry": 2, "failed": 0}
    delivery = WebhookDelivery.objects.order_by("id").first()
    assert delivery is not None and "Connection" in delivery.last_error
    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}  # backing off: nothing due yet

    subscriber.start()  # the same port again
    later = timezone.now() + backoff(1) + dt.timedelta(seconds=1)
    assert deliver_pending(now=later) == {"sent": 2, "retry": 0, "failed": 0}
    assert [e["type"] for e in events(subscriber)] == [
        EventType.REQUEST_SUBMITTED,
        EventType.REQUEST_ACCEPTED,
    ]


def test_duplicates_are_bounded(subscription, subscriber, accepted):
    """The cursor job and the delivery job each run twice: every event is queued once and sent once. A
    worker that dies after the subscriber took a delivery repeats that one, with the same delivery id."""
    fan_out()
    fan_out()
    assert WebhookDelivery.objects.count() == 2
    deliver_pending()
    deliver_pending(now=timezone.now() + dt.timedelta(days=1))
    keys = [r.headers["x-daiban-delivery"] for r in subscriber.received]
    assert len(keys) == 2 and len(set(keys)) == 2

    # A worker killed between the subscriber's answer and the record: its claim runs out, the row is sent
    # again under the same id.
    from daiban.integrations.services import attempt, claim_lease, claim_next

    WebhookDelivery.objects.update(status="pending", next_attempt_at=timezone.now())
    claimed = claim_next(now=timezone.now())
    assert claimed is not None
    assert attempt(claimed) is None  # delivered; the worker "dies" before record_outcome
    deliver_pending(now=timezone.now() + claim_lease() + dt.timedelta(seconds=1))
    repeated = [r for r in subscriber.received if r.headers["x-daiban-delivery"] == str(claimed.delivery_key)]
    assert len(repeated) == 3  # the first send, the one that was not recorded, and its retry: same id


def test_no_event_for_a_rolled_back_change(subscription, subscriber, park_project, rep, items):
    class Boom(Exception):
        pass

    def submit_then_fail() -> None:
        with transaction.atomic():
            submit_request(project=park_project, data=data(items[:1]), by=rep, channel="online")
            raise Boom

    with pytest.raises(Boom):
        submit_then_fail()
    assert fan_out()["queued"] == 0
    deliver_pending()
    assert subscriber.received == []

    submit_request(project=park_project, data=data(items[:1]), by=rep, channel="online")
    assert fan_out()["queued"] == 1


def test_events_before_a_subscription_existed_are_not_sent_to_it(youyang, subscriber, accepted, clock):
    clock(2026, 11, 3)
    late = WebhookSubscription.objects.create(
        jurisdiction=youyang, name="后来的", url=subscriber.url, event_types=list(EventType.values)
    )
    fan_out()
    assert not WebhookDelivery.objects.filter(subscription=late).exists()


def test_administrators_hear_once_per_failure_streak(
    settings, subscription, subscriber, accepted, youyang, make_staff, staff
):
    settings.DAIBAN_WEBHOOK_ALERT_AFTER = 3
    admin = make_staff(Role.ADMINISTRATOR, youyang)
    subscriber.stop()
    fan_out()
    now = timezone.now()
    for step in range(5):  # two deliveries, five rounds: ten failed attempts in a row
        deliver_pending(now=now + dt.timedelta(hours=7 * step))
    alerts = Notification.objects.filter(verb="webhook.failing")
    assert list(alerts.values_list("recipient", flat=True)) == [admin.pk]
    subscription.refresh_from_db()
    assert subscription.failing_in_a_row >= 3 and subscription.alerted_at is not None

    subscriber.start()
    WebhookDelivery.objects.update(status="pending", next_attempt_at=now)
    deliver_pending(now=now + dt.timedelta(days=3))
    subscription.refresh_from_db()
    assert subscription.failing_in_a_row == 0 and subscription.alerted_at is None

    subscriber.stop()  # a new streak: one new message
    item = accepted.items.get()
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    item.refresh_from_db()
    start_collecting(item=item, by=staff["park_agent"], expected_version=item.version)
    fan_out()
    for step in range(4):
        deliver_pending(now=now + dt.timedelta(days=4, hours=7 * step))
    assert alerts.count() == 2


def test_a_delivery_is_replayed_with_its_own_id(subscription, subscriber, accepted, staff):
    fan_out()
    deliver_pending()
    delivery = WebhookDelivery.objects.order_by("id").first()
    assert delivery is not None and delivery.status == "sent"
    replay_delivery(delivery=delivery, by=staff["park_coord"])
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 0
    assert AuditEntry.objects.filter(verb="webhook.replayed", target_id=str(delivery.pk)).exists()
    deliver_pending()
    keys = [r.headers["x-daiban-delivery"] for r in subscriber.received]
    assert keys.count(str(delivery.delivery_key)) == 2


def test_an_item_found_overdue_is_one_event_however_often_the_sweep_runs(
    subscription, subscriber, accepted, staff
):
    seed_calendar_from_library()
    agent = staff["park_agent"]
    item = accepted.items.get()
    assign_agent(item=item, agent=agent, by=staff["park_coord"])
    item.refresh_from_db()
    file_it(item, agent, filed_on=dt.date(2026, 11, 2))
    fan_out()
    WebhookDelivery.objects.all().delete()
    assert sweep_deadlines(today=dt.date(2026, 12, 14))["overdue"] == 1
    assert sweep_deadlines(today=dt.date(2026, 12, 15))["overdue"] == 0
    fan_out()
    deliver_pending()
    overdue = [e for e in events(subscriber) if e["type"] == EventType.ITEM_OVERDUE]
    assert len(overdue) == 1
    assert overdue[0]["object"]["id"] == str(item.pk)
    assert overdue[0]["deadline_on"] is not None
    assert AuditEntry.objects.filter(verb="item.deadline_passed", target_id=str(item.pk)).count() == 1


def test_administrators_replay_in_the_admin_only_their_own_deliveries(
    client, subscription, subscriber, accepted, youyang, dazu, make_staff
):
    fan_out()
    deliver_pending()
    ours = WebhookDelivery.objects.order_by("id").first()
    assert ours is not None
    theirs_subscription = WebhookSubscription.objects.create(
        jurisdiction=dazu, name="大足工改", url=subscriber.url, event_types=[EventType.REQUEST_ACCEPTED]
    )
    theirs = WebhookDelivery.objects.create(
        subscription=theirs_subscription,
        event_type=EventType.REQUEST_ACCEPTED,
        source_seq=ours.source_seq,
        payload={},
        status="sent",
        next_attempt_at=timezone.now(),
    )
    admin = make_staff(Role.ADMINISTRATOR, youyang)
    client.force_login(admin)
    changelist = reverse("admin:integrations_webhookdelivery_changelist")
    page = client.get(changelist).content.decode()
    assert "酉阳工改系统" in page and "大足工改" not in page
    client.post(
        changelist,
        {"action": "replay_action", "_selected_action": [ours.pk, theirs.pk], "index": 0},
    )
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.status == "pending" and theirs.status == "sent"
    detail = client.get(reverse("admin:integrations_webhooksubscription_change", args=[subscription.pk]))
    assert subscription.secret in detail.content.decode()  # to hand to the subscriber
    entry = AuditEntry.objects.filter(verb="webhook.replayed").get()
    assert entry.actor_id == admin.pk and entry.jurisdiction_code == "500242"


def test_a_subscription_added_in_the_admin_keeps_its_secret_out_of_the_audit_trail(
    client, youyang, dazu, make_staff
):
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    add = reverse("admin:integrations_webhooksubscription_add")
    form = {
        "jurisdiction": youyang.pk,
        "name": "数据大屏",
        "url": "https://screen.example.cn/hooks",
        "event_types": [EventType.REQUEST_COMPLETED, EventType.ITEM_OVERDUE],
        "format": "signed_json",
        "secret": "s3cret-handed-over-in-person",
        "active": "on",
    }
    assert client.post(add, form).status_code == 302
    created = WebhookSubscription.objects.get(name="数据大屏")
    assert created.event_types == [EventType.REQUEST_COMPLETED, EventType.ITEM_OVERDUE]
    entry = AuditEntry.objects.get(verb="webhooksubscription.added_in_admin")
    assert entry.after is not None and entry.after["url"] == form["url"]
    assert "s3cret" not in json.dumps([entry.before, entry.after])
    # Another county's subscription cannot be added; nor can a provincial one take other events.
    assert client.post(add, {**form, "name": "大足的", "jurisdiction": dazu.pk}).status_code == 200
    provincial = {**form, "name": "省好差评", "format": "provincial_rating"}
    assert "只接收评价" in client.post(add, provincial).content.decode()
    assert not WebhookSubscription.objects.filter(name__in=["大足的", "省好差评"]).exists()
