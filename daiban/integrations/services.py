"""Turning committed audit entries into webhook deliveries, and delivering them (ADR 0021).

1. `fan_out` (a short transaction holding the cursor row): seals what the audit trail committed, reads
   the entries past the cursor in chain order, writes one delivery per entry and subscription that wants
   it, and moves the cursor — all or nothing, so an event is queued exactly once.
2. `deliver_pending`: the common outbox runner (`daiban.common.outbox`, ADR 0007) — claim a due delivery,
   POST it signed outside any transaction, record the outcome while the claim is ours; failures back off
   (1, 2, 4 … minutes), a subscriber that fails 3 times in a run is left alone for the rest of it, and after
   `DAIBAN_WEBHOOK_ALERT_AFTER` failed attempts in a row its jurisdiction's administrators get one message
   per failure streak.
"""

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common import audit_chain, outbox
from daiban.common.audit import AuditVerb, record
from daiban.common.models import AuditChainHead, AuditEntry
from daiban.notifications.services import notify
from daiban.organizations.models import Role, User
from daiban.organizations.selectors import role_holders

from . import signing
from .events import event_payload, event_types_of, provincial_rating_payload
from .models import EventCursor, EventType, WebhookDelivery, WebhookSubscription
from .transport import DeliveryError, post

logger = logging.getLogger(__name__)

FAN_OUT_BATCH = 1000


def _cursor_for_update() -> EventCursor:
    """The cursor row, locked. A new installation starts at the chain's head: subscribers hear of what
    happens from now on, not the whole history."""
    if not EventCursor.objects.filter(pk=1).exists():
        head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
        EventCursor.objects.get_or_create(pk=1, defaults={"last_seq": head})
    return EventCursor.objects.select_for_update().get(pk=1)


def fan_out(*, batch: int = FAN_OUT_BATCH) -> dict[str, int]:
    """Queue the deliveries of every sealed audit entry past the cursor, `batch` entries per transaction;
    return how many entries were read and deliveries queued.

    Chain positions are handed out after commit, in one transaction per sealing batch, so the sealed
    entries always form a prefix of the chain: an entry not yet sealed gets a position above the cursor.
    Run it twice, or from two workers, and the cursor lock plus the one-delivery-per-event constraint
    queue each event once."""
    audit_chain.seal_all()
    counts = {"scanned": 0, "queued": 0}
    while True:
        scanned, queued = _fan_out_batch(batch)
        counts["scanned"] += scanned
        counts["queued"] += queued
        if scanned < batch:
            return counts


def _fan_out_batch(batch: int) -> tuple[int, int]:
    with transaction.atomic():
        cursor = _cursor_for_update()
        entries = list(AuditEntry.objects.filter(seq__gt=cursor.last_seq).order_by("seq")[:batch])
        if not entries:
            return 0, 0
        subscriptions = list(WebhookSubscription.objects.filter(active=True).select_related("jurisdiction"))
        now = timezone.now()
        deliveries = []
        for entry in entries:
            for event_type in event_types_of(entry):
                for subscription in subscriptions:
                    if (
                        subscription.jurisdiction.code != entry.jurisdiction_code
                        or not subscription.wants(event_type)
                        or entry.at < subscription.created_at
                    ):
                        continue
                    delivery = _delivery(subscription, entry, event_type, now)
                    if delivery is not None:
                        deliveries.append(delivery)
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        last = entries[-1].seq
        assert last is not None
        cursor.last_seq = last
        cursor.save(update_fields=["last_seq"])
    return len(entries), len(deliveries)


def _delivery(
    subscription: WebhookSubscription, entry: AuditEntry, event_type: str, now: dt.datetime
) -> WebhookDelivery | None:
    key = uuid.uuid4()
    payload: dict[str, Any] | None
    if subscription.format == WebhookSubscription.Format.PROVINCIAL_RATING:
        if event_type != EventType.EVALUATION_RECEIVED:
            return None
        payload = provincial_rating_payload(entry, str(key))
    else:
        payload = event_payload(entry, event_type, str(key))
    if payload is None:
        return None
    assert entry.seq is not None
    return WebhookDelivery(
        subscription=subscription,
        event_type=event_type,
        source_seq=entry.seq,
        payload=payload,
        next_attempt_at=now,
        delivery_key=key,
    )


def claim_lease() -> dt.timedelta:
    return dt.timedelta(
        seconds=max(settings.DAIBAN_OUTBOX_LEASE_SECONDS, 2 * settings.DAIBAN_WEBHOOK_DEADLINE_SECONDS)
    )


def deliver_pending(*, now: dt.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send what is due through the common outbox runner (`daiban.common.outbox`, the notifications'
    loop too): claim, POST signed outside any transaction, record; a subscriber that keeps failing is
    left alone for the rest of the run. Meant to run outside a transaction."""
    return outbox.deliver_pending(OUTBOX, now=now, batch=batch)


def claim_next(*, now: dt.datetime, skip_subscriptions: Collection[int] = ()) -> WebhookDelivery | None:
    return outbox.claim_next(OUTBOX, now=now, skip=skip_subscriptions)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def headers_for(delivery: WebhookDelivery, body: bytes, *, timestamp: int) -> dict[str, str]:
    key = str(delivery.delivery_key)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "daiban-webhooks/1",
        signing.EVENT_HEADER: delivery.event_type,
        signing.DELIVERY_HEADER: key,
        "Idempotency-Key": key,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.sign(delivery.subscription.secret, timestamp, body),
    }
    if delivery.subscription.format == WebhookSubscription.Format.PROVINCIAL_RATING:
        headers["Authorization"] = f"Bearer {settings.DAIBAN_PROVINCIAL_RATING_TOKEN}"
    return headers


def send(delivery: WebhookDelivery) -> None:
    """One POST: returns when the subscriber took it (2xx), else DeliveryError."""
    body = body_of(delivery)
    headers = headers_for(delivery, body, timestamp=int(time.time()))  # real time: the subscriber checks it
    post(
        delivery.subscription.url,
        body,
        headers=headers,
        deadline=float(settings.DAIBAN_WEBHOOK_DEADLINE_SECONDS),
    )


def attempt(delivery: WebhookDelivery) -> str | None:
    """One POST, outside any transaction: None when the subscriber took it (2xx), else why not."""
    return outbox.attempt(OUTBOX, delivery)


def record_outcome(*, delivery: WebhookDelivery, error: str | None, now: dt.datetime) -> str | None:
    """Write what one attempt did while the claim is ours, and keep the subscription's failure streak."""
    return outbox.record_outcome(OUTBOX, row=delivery, error=error, now=now)


def _keep_streak(delivery: WebhookDelivery, error: str | None, now: dt.datetime) -> None:
    """In the outcome's transaction: a success ends the subscription's failure streak, a failure extends
    it (and may alert the administrators once)."""
    subscriptions = WebhookSubscription.objects.filter(pk=delivery.subscription_id)
    if error is None:
        subscriptions.update(failing_in_a_row=0, alerted_at=None)
    else:
        subscriptions.update(failing_in_a_row=F("failing_in_a_row") + 1)
        _alert_once(delivery.subscription, error, now)


OUTBOX: outbox.Outbox[WebhookDelivery] = outbox.register(
    outbox.Outbox(
        name="webhook",
        model=WebhookDelivery,
        created="created_at",
        send=send,
        breaker="subscription_id",
        lease=claim_lease,
        due=Q(subscription__active=True),
        related=("subscription",),
        expected=(DeliveryError,),
        on_outcome=_keep_streak,
    )
)


def _alert_once(subscription: WebhookSubscription, error: str, now: dt.datetime) -> None:
    """Tell the jurisdiction's administrators once per failure streak: the conditional update lets one
    failed attempt (of one worker) through; a success clears `alerted_at` for the next streak."""
    took = WebhookSubscription.objects.filter(
        pk=subscription.pk,
        alerted_at__isnull=True,
        failing_in_a_row__gte=settings.DAIBAN_WEBHOOK_ALERT_AFTER,
    ).update(alerted_at=now)
    if not took:
        return
    admins = role_holders(Role.ADMINISTRATOR, jurisdiction_id=subscription.jurisdiction_id)
    notify(
        recipients=admins,
        verb="webhook.failing",
        title=_("Webhook subscriber keeps failing: %(name)s") % {"name": subscription.name},
        body=_(
            "%(n)s deliveries in a row to %(url)s failed; the last said: %(error)s. "
            "Deliveries are retried with back-off and can be replayed in the admin."
        )
        % {"n": settings.DAIBAN_WEBHOOK_ALERT_AFTER, "url": subscription.url, "error": error},
        url=reverse("admin:integrations_webhookdelivery_changelist")
        + f"?subscription__id__exact={subscription.pk}",
        jurisdiction_code=subscription.jurisdiction.code,
    )


@transaction.atomic
def replay_delivery(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """Send a delivery again (sent or given up): due now, attempts from zero, the same delivery id, so a
    subscriber that kept it recognises the repeat."""
    before = {"status": delivery.status, "attempts": delivery.attempts}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claim_token=None,
        last_error="",
        sent_at=None,
    )
    delivery.refresh_from_db()
    record(
        actor=by,
        verb=AuditVerb.WEBHOOK_REPLAYED,
        target=delivery,
        before=before,
        after={"status": delivery.status, "event_type": delivery.event_type},
    )
    return delivery
