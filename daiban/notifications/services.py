"""Writing notifications, and delivering them. Callers are service functions already inside their
transaction, so a notification (and its outbound messages) exists exactly when its cause was committed."""

import datetime as dt
from collections.abc import Collection, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from daiban.common import outbox
from daiban.organizations.models import User

from .channels import ChannelError, channel_for
from .models import Notification, OnceKey, OutboundMessage


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


def _send(message: OutboundMessage) -> None:
    note = message.notification
    channel_for(message.channel).send(message.address, note.title, note.body, key=str(message.delivery_key))


OUTBOX: outbox.Outbox[OutboundMessage] = outbox.register(
    outbox.Outbox(
        name="outbound",
        model=OutboundMessage,
        created="notification__created_at",
        send=_send,
        breaker="channel",
        lease=claim_lease,
        related=("notification",),
        expected=(ChannelError,),
    )
)


def deliver_pending(*, now: dt.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send what is due over SMS and e-mail through the common outbox runner (`daiban.common.outbox`):
    claim, send outside any transaction with the message's idempotency key, record; a channel that keeps
    failing is left alone for the rest of the run, so e-mail still goes out while the SMS gateway hangs."""
    return outbox.deliver_pending(OUTBOX, now=now, batch=batch)


def claim_next(*, now: dt.datetime, skip_channels: Collection[str] = ()) -> OutboundMessage | None:
    return outbox.claim_next(OUTBOX, now=now, skip=skip_channels)


def attempt_delivery(message: OutboundMessage) -> str | None:
    return outbox.attempt(OUTBOX, message)


def record_outcome(*, message: OutboundMessage, error: str | None, now: dt.datetime) -> str | None:
    return outbox.record_outcome(OUTBOX, row=message, error=error, now=now)
