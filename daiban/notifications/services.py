"""Writing notifications. Callers are service functions already inside their transaction, so a
notification exists exactly when its cause was committed."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from daiban.organizations.models import User

from .models import Notification


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
    return Notification.objects.bulk_create(
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


@transaction.atomic
def mark_read(*, notification: Notification, by: User) -> Notification:
    if notification.recipient_id != by.pk:
        raise PermissionError("only the recipient reads a notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
