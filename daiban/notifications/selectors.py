import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet

from daiban.organizations.auth import Viewer
from daiban.organizations.selectors import person_id

from .models import Notification, OutboundMessage


def notifications_for(user: Viewer) -> QuerySet[Notification]:
    """A person's own notifications, newest first; nobody reads another's."""
    return Notification.objects.filter(recipient_id=person_id(user))


def unread_count(user: Viewer) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class OutboxBacklog:
    """What the operator watches of the outbox (docs/operations.md): messages waiting per channel, how long
    the oldest has waited, and messages given up per channel."""

    pending: dict[str, int]
    failed: dict[str, int]
    oldest_pending_seconds: float


def outbox_backlog(*, now: dt.datetime) -> OutboxBacklog:
    """The age of a waiting message counts from its notification, written in the same transaction."""
    counts = {
        (row["status"], row["channel"]): row["n"]
        for row in OutboundMessage.objects.values("status", "channel").annotate(n=Count("id"))
    }
    channels = [c.value for c in OutboundMessage.Channel]
    oldest = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING).aggregate(
        at=Min("notification__created_at")
    )["at"]
    return OutboxBacklog(
        pending={c: counts.get((OutboundMessage.Status.PENDING, c), 0) for c in channels},
        failed={c: counts.get((OutboundMessage.Status.FAILED, c), 0) for c in channels},
        oldest_pending_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
    )
