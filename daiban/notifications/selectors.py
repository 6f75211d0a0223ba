from django.db.models import QuerySet

from daiban.organizations.auth import Viewer
from daiban.organizations.selectors import person_id

from .models import Notification


def notifications_for(user: Viewer) -> QuerySet[Notification]:
    """A person's own notifications, newest first; nobody reads another's."""
    return Notification.objects.filter(recipient_id=person_id(user))


def unread_count(user: Viewer) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
