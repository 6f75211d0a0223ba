"""Each evaluation goes to the provincial 好差评 system the way webhooks go out: from the audit trail,
through the outbox, retried while the province's endpoint fails (a fake endpoint on a real socket)."""

import datetime as dt
import json

from django.utils import timezone

from daiban.common.outbox import backoff
from daiban.feedback.services import evaluate
from daiban.feedback.tests.conftest import deliver_all
from daiban.integrations import signing
from daiban.integrations.models import EventType, WebhookDelivery, WebhookSubscription
from daiban.integrations.services import deliver_pending, fan_out


def test_an_evaluation_reaches_the_provincial_system_after_it_recovers(
    settings, youyang, dispatched, reviewer, rep, subscriber
):
    settings.DAIBAN_PROVINCIAL_RATING_TOKEN = "prov-token"
    deliver_all(dispatched, reviewer, dt.date(2026, 11, 2))
    fan_out()
    province = WebhookSubscription.objects.create(
        jurisdiction=youyang,
        name="重庆市好差评系统",
        url=subscriber.url,
        format=WebhookSubscription.Format.PROVINCIAL_RATING,
        event_types=[EventType.EVALUATION_RECEIVED],
    )
    agent = dispatched.items.order_by("position").first().agent
    evaluation = evaluate(
        request=dispatched, agent=agent, attitude=5, efficiency=4, integrity=5, comment="", by=rep
    )
    assert fan_out()["queued"] == 1

    subscriber.status = 503  # the province is down for maintenance
    assert deliver_pending()["retry"] == 1
    subscriber.status = 200
    later = timezone.now() + backoff(1) + dt.timedelta(seconds=1)
    assert deliver_pending(now=later)["sent"] == 1

    assert len(subscriber.received) == 2  # the refused attempt and the accepted one, under one id
    first, second = subscriber.received
    assert first.headers["x-daiban-delivery"] == second.headers["x-daiban-delivery"]
    assert second.headers["authorization"] == "Bearer prov-token"
    assert signing.verify(
        province.secret,
        timestamp=second.headers["x-daiban-timestamp"],
        body=second.body,
        signature=second.headers["x-daiban-signature"],
    )
    report = json.loads(second.body)
    assert report["regionCode"] == "500242"
    assert report["serviceNo"] == dispatched.reference
    assert (report["attitude"], report["efficiency"], report["integrity"], report["overall"]) == (5, 4, 5, 4)
    assert report["agentId"] == str(agent.pk) and report["isBad"] is False
    assert report["reportId"] == second.headers["x-daiban-delivery"]
    delivery = WebhookDelivery.objects.get(subscription=province)
    assert delivery.status == "sent" and delivery.attempts == 2
    assert evaluation.pk is not None


def test_the_provincial_format_takes_evaluations_only(youyang, subscriber, dispatched):
    WebhookSubscription.objects.create(
        jurisdiction=youyang,
        name="重庆市好差评系统",
        url=subscriber.url,
        format=WebhookSubscription.Format.PROVINCIAL_RATING,
        event_types=[EventType.REQUEST_ACCEPTED],
    )
    fan_out()
    assert not WebhookDelivery.objects.exists()
