"""The password policy, changing a password, its expiry for staff, and reset by a code."""

import datetime as dt
import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daiban.accounts import services
from daiban.accounts.models import PasswordRecord, ResetCode
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.notifications.models import Notification, OutboundMessage
from daiban.organizations.models import Role, User
from daiban.organizations.tests.factories import UserFactory

GOOD = "Qingshan-2026"
CJK = re.compile(r"[\u4e00-\u9fff]")


def refusals(password: str, user: User | None = None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["Ab1-xyz", "alllowercaseletters", "lowercase1234567", "Zhangsan1981x", "13812345678", "Password123"],
)
def test_the_policy_refuses_weak_passwords_in_chinese(password):
    user = UserFactory.create(username="zhangsan", full_name="张三", mobile="13812345678")
    messages = refusals(password, user)
    assert messages, password
    assert all(CJK.search(m) for m in messages), messages


@pytest.mark.django_db
def test_every_validator_speaks_chinese():
    """The class, not one example: every configured validator's help text and refusal is Chinese."""
    user = UserFactory.create(username="zhangsan", full_name="张三", mobile="13812345678")
    for text in password_validation.password_validators_help_texts():
        assert CJK.search(str(text)), text
    for bad in ["a", "zhangsan", "password", "1234567890123", "abcdefghijkl", "13812345678"]:
        for message in refusals(bad, user):
            assert CJK.search(message), message
    assert refusals(GOOD, user) == []


@pytest.mark.django_db
def test_the_last_five_passwords_are_refused():
    user = UserFactory.create()
    passwords = [f"Qingshan-{n}x" for n in range(6)]
    for p in passwords:
        assert refusals(p, user) == []
        user.set_password(p)
        user.save()
    assert PasswordRecord.objects.filter(user=user).count() == 5
    for p in passwords[1:]:
        assert any("最近" in m for m in refusals(p, user)), p
    assert refusals(passwords[0], user) == []  # the sixth-newest may come back


@pytest.mark.django_db
def test_a_user_changes_their_password(youyang, make_staff):
    user = make_staff(Role.AGENT, youyang, "gyyq")
    client = Client()
    client.force_login(user)
    url = reverse("accounts:password_change")
    response = client.post(url, {"old_password": "wrong", "new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 200 and "当前密码不正确" in response.content.decode()
    response = client.post(
        url, {"old_password": "pw-for-tests-1", "new_password1": GOOD, "new_password2": GOOD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert client.get(reverse("home")).status_code == 200  # still signed in here
    assert AuditEntry.objects.filter(verb=AuditVerb.USER_PASSWORD_CHANGED, target_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_staff_with_an_expired_password_must_change_it(youyang, make_staff, applicant_user):
    staff = make_staff(Role.SUPERVISOR, youyang, "gaiban")
    long_ago = timezone.now() - dt.timedelta(days=91)
    PasswordRecord.objects.filter(user__in=[staff, applicant_user]).update(set_at=long_ago)
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("oversight:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    assert client.get(reverse("accounts:password_change")).status_code == 200
    client.post(
        reverse("accounts:password_change"),
        {"old_password": "pw-for-tests-1", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert client.get(reverse("oversight:dashboard")).status_code == 200
    # An applicant's password does not expire.
    applicant = Client()
    applicant.force_login(applicant_user)
    assert applicant.get(reverse("home")).status_code == 200


def ask(client: Client, identifier: str, address: str = "10.1.1.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:password_reset"), {"identifier": identifier}, REMOTE_ADDR=address)


def sent_code(user: User) -> str:
    body = Notification.objects.filter(recipient=user, verb="accounts.reset_code").latest("id").body
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


def reset(client: Client, identifier: str, code: str, password: str = GOOD):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("accounts:password_reset_confirm"),
        {"identifier": identifier, "code": code, "new_password1": password, "new_password2": password},
    )


@pytest.mark.django_db
def test_a_reset_code_is_sent_by_sms_and_email_and_works_once():
    user = UserFactory.create(mobile="13900000001", email="li@example.com")
    client = Client()
    response = ask(client, "13900000001")
    assert response.status_code == 302
    channels = set(
        OutboundMessage.objects.filter(notification__recipient=user).values_list("channel", flat=True)
    )
    assert channels == {"sms", "email"}
    assert AuditEntry.objects.filter(verb=AuditVerb.USER_RESET_CODE_SENT, target_id=str(user.pk)).exists()
    code = sent_code(user)
    row = ResetCode.objects.get(user=user)
    assert row.code_hash == services._code_hash(row.pk, code) != code  # kept only as a keyed hash
    assert reset(client, user.username, code).status_code == 302  # named either way
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert AuditEntry.objects.filter(verb=AuditVerb.USER_PASSWORD_RESET, target_id=str(user.pk)).exists()
    # Single use.
    response = reset(client, "13900000001", code, "Another-pass-9")
    assert response.status_code == 200 and "验证码错误" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(GOOD)


@pytest.mark.django_db
def test_an_expired_code_is_refused():
    user = UserFactory.create(mobile="13900000002")
    ask(Client(), user.username)
    code = sent_code(user)
    ResetCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert reset(Client(), user.username, code).status_code == 200
    user.refresh_from_db()
    assert not user.check_password(GOOD)


@pytest.mark.django_db
def test_wrong_codes_exhaust_the_code():
    user = UserFactory.create(mobile="13900000003")
    ask(Client(), user.username)
    code = sent_code(user)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(services.MAX_WRONG_CODES):
        assert reset(Client(), user.username, wrong).status_code == 200
    assert reset(Client(), user.username, code).status_code == 200  # even the right one, now
    user.refresh_from_db()
    assert not user.check_password(GOOD)


@pytest.mark.django_db
def test_codes_are_rate_limited_per_account_and_per_address(settings):
    user = UserFactory.create(mobile="13900000004")
    for n in range(settings.DAIBAN_RESET_CODES_PER_HOUR + 2):
        ask(Client(), user.username, address=f"10.2.0.{n}")
    assert Notification.objects.filter(recipient=user).count() == settings.DAIBAN_RESET_CODES_PER_HOUR
    other = UserFactory.create(mobile="13900000005")
    for n in range(settings.DAIBAN_RESET_CODES_PER_ADDRESS_PER_HOUR):
        ask(Client(), f"nobody{n}", address="10.3.0.1")
    ask(Client(), other.username, address="10.3.0.1")
    assert not Notification.objects.filter(recipient=other).exists()


@pytest.mark.django_db
def test_the_answer_does_not_tell_whether_the_account_exists():
    user = UserFactory.create(mobile="13900000006")
    answers = []
    for identifier in (user.username, "no-such-person"):
        client = Client()
        response = ask(client, identifier)
        page = client.get(response["Location"])
        without_token = re.sub(r"[A-Za-z0-9]{64}", "", page.content.decode())  # the CSRF tokens differ
        answers.append((response.status_code, response["Location"], without_token))
        confirm = reset(Client(), identifier, "123456")
        answers.append((confirm.status_code, "", ""))
    assert answers[0] == answers[2] and answers[1][0] == answers[3][0]
    assert ResetCode.objects.filter(user__isnull=True).count() == 1  # the unknown name counts for limits too


@pytest.mark.django_db
def test_a_weak_new_password_does_not_use_up_the_code():
    user = UserFactory.create(mobile="13900000007")
    ask(Client(), user.username)
    code = sent_code(user)
    response = reset(Client(), user.username, code, "short")
    assert response.status_code == 200 and "密码太短" in response.content.decode()
    assert reset(Client(), user.username, code).status_code == 302
