"""Session limits: idle timeout (shorter for staff), absolute lifetime, one session per staff account, sign
out everywhere; sign-in and sign-out audited."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daiban.accounts import sessions
from daiban.accounts.models import SignedInSession
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role, User

PASSWORD = "pw-for-tests-1"


def audited(user: User, verb: str) -> int:
    return AuditEntry.objects.filter(
        verb=verb, target_id=str(user.pk), target_type="organizations.user"
    ).count()


def sign_in(user: User) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def age(
    client: Client, *, idle: dt.timedelta = dt.timedelta(0), lived: dt.timedelta = dt.timedelta(0)
) -> None:
    """Move the session's clock back, as if that much time had passed."""
    session = client.session
    now = timezone.now()
    session[sessions.LAST_SEEN_AT] = (now - idle).isoformat()
    session[sessions.SIGNED_IN_AT] = (now - max(idle, lived)).isoformat()
    session.save()


@pytest.mark.django_db
def test_an_idle_staff_session_expires_after_30_minutes(youyang, make_staff):
    agent = make_staff(Role.AGENT, youyang, "gyyq")
    client = sign_in(agent)
    age(client, idle=dt.timedelta(minutes=29))
    assert signed_in(client)
    age(client, idle=dt.timedelta(minutes=31))
    response = client.get(reverse("cases:worklist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")
    assert not signed_in(client)
    assert audited(agent, AuditVerb.USER_SESSION_EXPIRED) == 1
    assert not SignedInSession.objects.filter(user=agent).exists()


@pytest.mark.django_db
def test_applicants_may_stay_idle_longer(applicant_user):
    client = sign_in(applicant_user)
    age(client, idle=dt.timedelta(minutes=60))
    assert signed_in(client)
    age(client, idle=dt.timedelta(minutes=121))
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_busy_session_still_ends_after_its_lifetime(applicant_user):
    client = sign_in(applicant_user)
    age(client, idle=dt.timedelta(minutes=1), lived=dt.timedelta(hours=11))
    assert signed_in(client)
    age(client, idle=dt.timedelta(minutes=1), lived=dt.timedelta(hours=12, minutes=1))
    assert not signed_in(client)


@pytest.mark.django_db
def test_activity_keeps_a_session_alive(applicant_user):
    client = sign_in(applicant_user)
    age(client, idle=dt.timedelta(minutes=100))
    assert signed_in(client)  # seen now: the idle clock restarts
    session = client.session
    assert timezone.now() - dt.datetime.fromisoformat(session[sessions.LAST_SEEN_AT]) < dt.timedelta(
        minutes=1
    )


@pytest.mark.django_db
def test_a_second_sign_in_of_a_staff_account_ends_the_first(youyang, make_staff):
    agent = make_staff(Role.AGENT, youyang, "gyyq")
    first = sign_in(agent)
    second = sign_in(agent)
    assert signed_in(second)
    assert not signed_in(first)
    assert SignedInSession.objects.filter(user=agent).count() == 1
    assert audited(agent, AuditVerb.USER_SESSIONS_ENDED) == 1
    assert audited(agent, AuditVerb.USER_LOGGED_IN) == 2


@pytest.mark.django_db
def test_an_applicant_may_be_signed_in_twice(applicant_user):
    first, second = sign_in(applicant_user), sign_in(applicant_user)
    assert signed_in(first) and signed_in(second)


@pytest.mark.django_db
def test_sign_out_everywhere(applicant_user):
    first, second = sign_in(applicant_user), sign_in(applicant_user)
    other = Session.objects.count()
    response = first.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in(first) and not signed_in(second)
    assert Session.objects.count() == other - 2
    assert audited(applicant_user, AuditVerb.USER_SESSIONS_ENDED) == 1


@pytest.mark.django_db
def test_signing_out_is_audited_and_leaves_the_index(applicant_user):
    client = sign_in(applicant_user)
    assert client.post(reverse("logout")).status_code == 302
    assert audited(applicant_user, AuditVerb.USER_LOGGED_OUT) == 1
    assert not SignedInSession.objects.filter(user=applicant_user).exists()
    assert not signed_in(client)


@pytest.mark.django_db
def test_the_account_page_lists_the_sessions(applicant_user):
    client = sign_in(applicant_user)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "本设备" in page and "退出所有设备" in page
