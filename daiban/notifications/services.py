"""Writing notifications, and delivering them. Callers are service functions already inside their
transaction, so a notification (and its outbound messages) exists exactly when its cause was committed."""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from daiban.organizations.models import User

from .channels import ChannelError, channel_for
from .models import Notification, OnceKey, OutboundMessage

MAX_ATTEMPTS = 10


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
        user = unique[note.recipient_id]
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
    """`notify`, unless a notification with this key was already sent (reminders and escalations)."""
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


def deliver_pending(*, now: dt.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send what is due. Safe to run from several workers at once (rows are locked and skipped) and to run
    twice (a sent row is never sent again). A failure reschedules the row; nothing is dropped."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with transaction.atomic():
        due = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundMessage.Status.PENDING, next_attempt_at__lte=now)
            .select_related("notification")
            .order_by("next_attempt_at", "id")[:batch]
        )
        for message in due:
            try:
                channel_for(message.channel).send(
                    message.address, message.notification.title, message.notification.body
                )
            except ChannelError as exc:
                message.attempts += 1
                message.last_error = str(exc)[:255]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboundMessage.Status.FAILED
                    counts["failed"] += 1
                else:
                    message.next_attempt_at = now + backoff(message.attempts)
                    counts["retry"] += 1
            else:
                message.status = OutboundMessage.Status.SENT
                message.sent_at = now
                message.attempts += 1
                counts["sent"] += 1
            message.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"])
    return counts
