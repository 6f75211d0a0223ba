import pytest
from django.urls import reverse

from daiban.notifications.models import Notification
from daiban.notifications.services import notify
from daiban.organizations.tests.factories import UserFactory


@pytest.mark.django_db
def test_inbox_shows_only_ones_own_and_marks_read(client):
    alice, bob = UserFactory.create(), UserFactory.create()
    (mine,) = notify(recipients=[alice, alice], verb="request.accepted", title="您的申请已受理", url="/home/")
    (theirs,) = notify(recipients=[bob], verb="request.accepted", title="别人的通知")
    client.force_login(alice)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "您的申请已受理" in page and "别人的通知" not in page
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(reverse("notifications:read", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/home/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.filter(recipient=alice).count() == 1  # duplicates collapse to one


@pytest.mark.django_db
def test_inbox_needs_sign_in_and_post(client):
    assert client.get(reverse("notifications:inbox")).status_code == 302
    client.force_login(UserFactory.create())
    assert client.get(reverse("notifications:read", args=[1])).status_code == 405
