"""Writing notifications, and delivering them. Callers are service functions already inside their
transaction, so a notification (and its outbound messages) exists exactly when its cause was committed."""

import collections
import datetime as dt
import logging
import uuid
from collections.abc import Collection, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from daiban.organizations.models import User

from .channels import ChannelError, channel_for
from .models import Notification, OnceKey, OutboundMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
CLAIM_CANDIDATES = 5
BREAKER_FAILURES = 3


def notify(
    *,
    recipients: Iterable[User],
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    jurisdiction_code: str = "",
) -> list[Notification]:
    unique = {user.pk: user for user in recipients}
    notes = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            verb=verb,
            title=title[:200],
            body=body,
            url=url,
            jurisdiction_code=jurisdiction_code,
        )
        for user in unique.values()
    )
    now = timezone.now()
    outbound = []
    for note in notes:
        user = unique[note.recipient_id or 0]
        if user.mobile:
            outbound.append(
                OutboundMessage(notification=note, channel="sms", address=user.mobile, next_attempt_at=now)
            )
        if user.email:
            outbound.append(
                OutboundMessage(notification=note, channel="email", address=user.email, next_attempt_at=now)
            )
    OutboundMessage.objects.bulk_create(outbound)
    return notes


def text_mobile(
    *, mobile: str, verb: str, title: str, body: str, url: str = "", jurisdiction_code: str = ""
) -> Notification:
    """An SMS to a mobile that names no account (an enterprise's contact mobile), through the same outbox:
    a notification without recipient (no inbox shows it) and its one outbound message."""
    note = Notification.objects.create(
        recipient=None, verb=verb, title=title[:200], body=body, url=url, jurisdiction_code=jurisdiction_code
    )
    OutboundMessage.objects.create(
        notification=note, channel=OutboundMessage.Channel.SMS, address=mobile, next_attempt_at=timezone.now()
    )
    return note


def notify_once(
    *,
    key: str,
    recipients: Iterable[User],
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    jurisdiction_code: str = "",
) -> list[Notification]:
    """`notify`, unless a notification with this key was already sent (reminders and escalations).

    The key and the notification are written in one transaction: a failure between them leaves neither,
    so the next run sends the reminder instead of finding its key and skipping it for good."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                OnceKey.objects.create(key=key[:200])
        except IntegrityError:
            return []
        return notify(
            recipients=recipients,
            verb=verb,
            title=title,
            body=body,
            url=url,
            jurisdiction_code=jurisdiction_code,
        )


@transaction.atomic
def mark_read(*, notification: Notification, by: User) -> Notification:
    if notification.recipient_id != by.pk:
        raise PermissionError("only the recipient reads a notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def claim_lease() -> dt.timedelta:
    """How long a claimed message belongs to its worker (DAIBAN_OUTBOX_LEASE_SECONDS): longer than any one
    attempt may take, so a live worker never loses its claim; a dead worker's message is due again after."""
    return dt.timedelta(
        seconds=max(
            settings.DAIBAN_OUTBOX_LEASE_SECONDS,
            2 * settings.DAIBAN_SMS_DEADLINE_SECONDS,
            2 * settings.EMAIL_TIMEOUT,
        )
    )


def deliver_pending(*, now: dt.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send what is due, one message at a time: claim it (a short transaction), send it outside any
    transaction, record the outcome (a short transaction, only while the claim is still ours).

    Safe to run from several workers at once (a claim is taken by one of them) and to run twice (a sent row
    is never claimed again). A worker killed while sending leaves its claim to run out; the message is then
    sent again with the same idempotency key, so at most the one message in flight can repeat, and only at
    a gateway that ignores the key. Any failure reschedules the row with back-off; nothing is dropped and
    no channel error stops the run. Meant to run outside a transaction (the worker's autocommit): sending
    inside one would hold the database for as long as the gateway takes.

    A channel that fails BREAKER_FAILURES times in a row is left alone for the rest of the run (its
    messages stay due for the next one), so a hanging gateway costs a run a few deadlines, not one per
    message of the batch, and e-mail still goes out meanwhile.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0}
    failing_in_a_row: collections.Counter[str] = collections.Counter()
    for _ in range(batch):
        broken = {channel for channel, n in failing_in_a_row.items() if n >= BREAKER_FAILURES}
        message = claim_next(now=now or timezone.now(), skip_channels=broken)
        if message is None:
            break
        error = attempt_delivery(message)
        failing_in_a_row[message.channel] = failing_in_a_row[message.channel] + 1 if error else 0
        outcome = record_outcome(message=message, error=error, now=now or timezone.now())
        if outcome is not None:
            counts[outcome] += 1
    return counts


def claim_next(*, now: dt.datetime, skip_channels: Collection[str] = ()) -> OutboundMessage | None:
    """Take the next due message for this worker: a new claim token, the attempt counted, and the lease as
    its next attempt time, so it is due again only if this worker does not come back in time. The update
    is conditional, so of two workers that read the same row (SQLite has no row locks) one gets it."""
    with transaction.atomic():
        candidates = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundMessage.Status.PENDING, next_attempt_at__lte=now)
            .exclude(channel__in=skip_channels)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:CLAIM_CANDIDATES]
        )
        for pk in candidates:
            token = uuid.uuid4()
            taken = OutboundMessage.objects.filter(
                pk=pk, status=OutboundMessage.Status.PENDING, next_attempt_at__lte=now
            ).update(claim_token=token, next_attempt_at=now + claim_lease(), attempts=F("attempts") + 1)
            if taken:
                return OutboundMessage.objects.select_related("notification").get(pk=pk)
    return None


def attempt_delivery(message: OutboundMessage) -> str | None:
    """One attempt over the message's channel, outside any transaction: None when the channel accepted it,
    else why not. Every exception counts as a failed attempt — a gateway's garbage reply or an adapter's
    bug must cost one retry, not the run."""
    note = message.notification
    try:
        channel_for(message.channel).send(
            message.address, note.title, note.body, key=str(message.delivery_key)
        )
    except ChannelError as exc:
        logger.warning("outbound %s: attempt %s failed: %r", message.pk, message.attempts, str(exc))
        return failure_text(str(exc) or type(exc).__name__)
    except Exception as exc:
        logger.exception("outbound %s: attempt %s raised", message.pk, message.attempts)
        return failure_text(f"{type(exc).__name__}: {exc}")
    return None


def failure_text(error: str) -> str:
    """What a failure said, fit to store: a gateway's garbage reply can hold NUL and control bytes, which
    PostgreSQL refuses in text (the outcome would not be recorded) and which no operator can read."""
    return "".join(c if c.isprintable() else "?" for c in error)[:255]


def record_outcome(*, message: OutboundMessage, error: str | None, now: dt.datetime) -> str | None:
    """Write what one attempt did, in one conditional update that holds only while the claim is ours; a
    claim that ran out and was taken by another worker is left to that worker (None)."""
    mine = OutboundMessage.objects.filter(
        pk=message.pk, claim_token=message.claim_token, status=OutboundMessage.Status.PENDING
    )
    if error is None:
        outcome, changes = "sent", {"status": OutboundMessage.Status.SENT, "sent_at": now}
    elif message.attempts >= MAX_ATTEMPTS:
        outcome, changes = "failed", {"status": OutboundMessage.Status.FAILED, "last_error": error}
    else:
        outcome = "retry"
        changes = {"next_attempt_at": now + backoff(message.attempts), "last_error": error}
    if not mine.update(claim_token=None, **changes):
        logger.warning("outbound %s: claim ran out before the outcome (%s) was recorded", message.pk, outcome)
        return None
    return outcome
