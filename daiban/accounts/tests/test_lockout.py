"""Sign-in throttling (django-axes): an account, and an address, is locked after the configured number of
failures; a locked account is refused even with the right password until an administrator unlocks it."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role

PASSWORD = "pw-for-tests-1"
LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def verbs(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        AuditEntry.objects.filter(target_type="organizations.user", target_id=str(user.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_locked_account_stays_locked_with_the_right_password_until_unlocked(youyang, make_staff):
    person = make_staff(Role.AGENT, youyang, "gyyq")
    admin = make_staff(Role.ADMINISTRATOR, youyang)
    client = Client()
    for _ in range(LIMIT - 1):
        assert attempt(client, person.username, "wrong-password").status_code == 200
    response = attempt(client, person.username, "wrong-password")
    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()
    # From another address too: the account itself is locked.
    response = attempt(Client(), person.username, PASSWORD, address="10.0.0.2")
    assert response.status_code == 429 and not signed_in(client)

    assert verbs(person).count(AuditVerb.USER_LOGIN_FAILED) == LIMIT + 1
    assert verbs(person).count(AuditVerb.USER_LOCKED_OUT) == 1

    admin_client = Client()
    admin_client.force_login(admin)
    page = admin_client.get(reverse("accounts:lockouts")).content.decode()
    assert person.username in page
    response = admin_client.post(reverse("accounts:unlock", args=[person.pk]))
    assert response.status_code == 302
    unlocked = AuditEntry.objects.get(verb=AuditVerb.USER_UNLOCKED, target_id=str(person.pk))
    assert unlocked.actor_id == admin.pk
    assert person.username not in admin_client.get(reverse("accounts:lockouts")).content.decode()

    client = Client()
    assert attempt(client, person.username, PASSWORD, address="10.0.0.2").status_code == 302
    assert signed_in(client)
    assert verbs(person)[-1] == AuditVerb.USER_LOGGED_IN


@pytest.mark.django_db
def test_an_address_is_locked_after_failures_on_many_names(youyang, make_staff):
    person = make_staff(Role.AGENT, youyang, "gyyq")
    for n in range(LIMIT):
        attempt(Client(), f"nobody-{n}", "wrong-password", address="10.9.9.9")
    assert attempt(Client(), person.username, PASSWORD, address="10.9.9.9").status_code == 429
    # The account itself is not locked: from elsewhere it signs in.
    assert attempt(Client(), person.username, PASSWORD, address="10.0.0.3").status_code == 302
    # Failures on unknown names are audited against the throttling record of the name tried.
    assert (
        AuditEntry.objects.filter(verb=AuditVerb.USER_LOGIN_FAILED, target_type="axes.accessattempt").count()
        == LIMIT
    )


@pytest.mark.django_db
def test_failures_older_than_the_window_stop_counting(youyang, make_staff):
    person = make_staff(Role.AGENT, youyang, "gyyq")
    for _ in range(LIMIT - 1):
        attempt(Client(), person.username, "wrong-password")
    assert settings.AXES_COOLOFF_TIME is not None
    long_ago = timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=long_ago)
    assert attempt(Client(), person.username, "wrong-password").status_code == 200  # not locked: 1 recent
    assert attempt(Client(), person.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_an_administrator_unlocks_only_their_own_jurisdictions_people(youyang, dazu, make_staff):
    theirs = make_staff(Role.AGENT, dazu, "gxq")
    ours_admin = make_staff(Role.ADMINISTRATOR, youyang)
    for _ in range(LIMIT):
        attempt(Client(), theirs.username, "wrong-password")
    client = Client()
    client.force_login(ours_admin)
    assert theirs.username not in client.get(reverse("accounts:lockouts")).content.decode()
    assert client.post(reverse("accounts:unlock", args=[theirs.pk])).status_code == 404
    assert attempt(Client(), theirs.username, PASSWORD, address="10.0.0.4").status_code == 429
    assert not AuditEntry.objects.filter(verb=AuditVerb.USER_UNLOCKED).exists()


@pytest.mark.django_db
def test_only_administrators_open_the_lockouts_page(youyang, make_staff):
    client = Client()
    client.force_login(make_staff(Role.SUPERVISOR, youyang, "gaiban"))
    assert client.get(reverse("accounts:lockouts")).status_code == 403


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_one_sign_in_page():
    response = Client().get(reverse("admin:login") + "?next=/admin/organizations/unit/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/organizations/unit/"
