# ruff: noqa: F811 (the cases fixtures are imported, then named as parameters)
"""Dead end 3 closed: a walk-in enterprise gets online access. The window opens its account from the window
registration, the activation code goes by SMS through the outbox, the applicant sets its password with it
and signs in to its requests. Codes are random, hashed, expiring, single use and rate limited; the
activation page answers the same whether or not the mobile has an account."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daiban.accounts.models import ResetCode
from daiban.cases.tests.conftest import items, park_project, rep, staff, town_project  # noqa: F401
from daiban.cases.tests.test_window import window_form
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.notifications.models import Notification, OutboundMessage
from daiban.organizations.models import Role, User
from daiban.projects.models import Applicant
from daiban.projects.tests.test_views import sign_up_form

GOOD = "Huatian-Gongmi-2026"
MOBILE = "13508341234"


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def walk_in(youyang, items, staff):
    """The enterprise the clerk registered at the window (it has no account)."""
    response = _client(staff["clerk"]).post(
        reverse("cases:window_request_create"), window_form(youyang, items)
    )
    assert response.status_code == 302
    return Applicant.objects.get(contact_mobile=MOBILE)


def _code(user):
    body = Notification.objects.filter(recipient=user, verb="accounts.activation_code").latest("id").body
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


def _open(client, applicant, full_name="田秀英"):
    return client.post(reverse("accounts:walk_in_account", args=[applicant.pk]), {"full_name": full_name})


def _activate(code, mobile=MOBILE, password=GOOD):
    return _client().post(
        reverse("accounts:activate"),
        {"mobile": mobile, "code": code, "new_password1": password, "new_password2": password},
    )


@pytest.mark.django_db
def test_the_window_opens_the_account_and_the_applicant_activates_it(walk_in, staff):
    clerk = _client(staff["clerk"])
    request = walk_in.requests.get()
    detail = clerk.get(reverse("cases:request_detail", args=[request.pk])).content.decode()
    assert reverse("accounts:walk_in_account", args=[walk_in.pk]) in detail
    assert (
        "开通网上账户" in clerk.get(reverse("accounts:walk_in_account", args=[walk_in.pk])).content.decode()
    )

    response = _open(clerk, walk_in)
    assert response.status_code == 302
    user = walk_in.representatives.get().user
    assert (user.username, user.mobile, user.full_name) == (MOBILE, MOBILE, "田秀英")
    assert not user.has_usable_password()
    code = _code(user)
    sms = OutboundMessage.objects.get(notification__recipient=user, channel="sms")
    assert sms.address == MOBILE and code in sms.notification.body
    row = ResetCode.objects.get(user=user)
    assert row.purpose == ResetCode.Purpose.ACTIVATION and code not in row.code_hash and row.code_hash
    assert row.expires_at - timezone.now() > dt.timedelta(hours=settings.DAIBAN_ACTIVATION_CODE_HOURS - 1)
    assert AuditEntry.objects.filter(verb=AuditVerb.USER_ACTIVATION_CODE_SENT, actor=staff["clerk"]).exists()
    # the page now says the account waits for activation, and offers a new code instead of a second account
    assert (
        "发送新的激活码" in clerk.get(reverse("accounts:walk_in_account", args=[walk_in.pk])).content.decode()
    )

    assert _activate(code).status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert AuditEntry.objects.filter(verb=AuditVerb.USER_ACTIVATED, target_id=str(user.pk)).exists()
    # single use
    again = _activate(code, password="Another-Pass-2027")
    assert again.status_code == 200 and "验证码错误、已过期或已使用" in again.content.decode()
    # the applicant signs in with mobile and password and sees its request
    applicant = Client()
    signed_in = applicant.post(reverse("login"), {"username": MOBILE, "password": GOOD})
    assert signed_in.status_code == 302, signed_in.content.decode()[:2000]
    mine = applicant.get(reverse("cases:request_detail", args=[request.pk]))
    assert mine.status_code == 200 and request.reference in mine.content.decode()


@pytest.mark.django_db
def test_a_wrong_or_expired_code_and_an_unknown_mobile_read_the_same(walk_in, staff, monkeypatch):
    _open(_client(staff["clerk"]), walk_in)
    user = walk_in.representatives.get().user
    code = _code(user)
    wrong = "000000" if code != "000000" else "111111"
    pages = [_activate(wrong), _activate(code, mobile="13900000000")]
    for page in pages:
        assert page.status_code == 200
        assert "验证码错误、已过期或已使用，请重新获取。" in page.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert ResetCode.objects.get(user=user).failed_attempts == 1
    later = timezone.now() + dt.timedelta(hours=settings.DAIBAN_ACTIVATION_CODE_HOURS, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _activate(code).status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_five_wrong_codes_kill_the_code(walk_in, staff):
    _open(_client(staff["clerk"]), walk_in)
    user = walk_in.representatives.get().user
    code = _code(user)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        _activate(wrong)
    assert _activate(code).status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_resending_kills_the_old_code_and_is_rate_limited(walk_in, staff):
    clerk = _client(staff["clerk"])
    _open(clerk, walk_in)
    user = walk_in.representatives.get().user
    first = _code(user)
    resend = reverse("accounts:resend_activation", args=[walk_in.pk])
    assert clerk.post(resend).status_code == 302
    second = _code(user)
    for _ in range(settings.DAIBAN_RESET_CODES_PER_HOUR):
        response = clerk.post(resend, follow=True)
    assert "过去一小时内发送到此手机的验证码过多" in response.content.decode()
    assert ResetCode.objects.filter(user=user).count() == settings.DAIBAN_RESET_CODES_PER_HOUR
    if first != second:
        assert _activate(first).status_code == 200
    # only the newest code works
    newest = _code(user)
    assert _activate(newest).status_code == 302


@pytest.mark.django_db
def test_sign_up_with_the_credit_code_points_to_activation(walk_in, staff, youyang):
    before = User.objects.count()
    form = sign_up_form(youyang, uscc=walk_in.uscc, username="tianxiuying")
    ask_window = _client().post(reverse("sign_up"), form).content.decode()
    assert "现有账号持有人或政务服务中心窗口为您添加" in ask_window  # no account yet: the window opens it
    _open(_client(staff["clerk"]), walk_in)
    page = _client().post(reverse("sign_up"), form).content.decode()
    assert "激活" in page and "现有账号持有人" not in page
    assert User.objects.count() == before + 1  # only the window's account: the sign-up saved nothing


@pytest.mark.django_db
def test_wrong_role_and_wrong_owner(walk_in, staff, dazu, make_staff, rep):
    url = reverse("accounts:walk_in_account", args=[walk_in.pk])
    for person in (staff["park_agent"], staff["park_coord"], rep):
        assert _client(person).post(url, {"full_name": "冒名"}).status_code == 403
    assert _client().get(url).status_code == 302  # to sign in
    for other in (make_staff(Role.CLERK, dazu, "zwzx"), make_staff(Role.ADMINISTRATOR, dazu)):
        assert _client(other).post(url, {"full_name": "冒名"}).status_code == 404
        assert (
            _client(other).post(reverse("accounts:resend_activation", args=[walk_in.pk])).status_code == 404
        )
    assert not walk_in.representatives.exists()
    assert not ResetCode.objects.exists()
    # the jurisdiction's administrator may
    admin = make_staff(Role.ADMINISTRATOR, walk_in.jurisdiction)
    assert _open(_client(admin), walk_in).status_code == 302
    assert walk_in.representatives.count() == 1


@pytest.mark.django_db
def test_bad_input_saves_nothing(walk_in, staff, rep, park_project):
    clerk = _client(staff["clerk"])
    blank = _open(clerk, walk_in, full_name="  ")
    assert blank.status_code == 200 and "这个字段是必填项" in blank.content.decode()
    assert clerk.get(reverse("accounts:walk_in_account", args=[999999])).status_code == 404
    # the mobile already names a person: refused in Chinese, nothing created
    User.objects.filter(pk=rep.pk).update(mobile=MOBILE)
    taken = _open(clerk, walk_in)
    assert taken.status_code == 200 and "已有账户使用手机号" in taken.content.decode()
    assert not walk_in.representatives.exists() and not ResetCode.objects.exists()
    # an enterprise that already has an account holder: no second account
    represented = park_project.applicant
    page = _open(clerk, represented)
    assert page.status_code == 200 and "该企业已有网上账户" in page.content.decode()
    assert represented.representatives.count() == 1
    # the activation form's own checks
    bad = _client().post(reverse("accounts:activate"), {"mobile": "123", "code": "12", "new_password1": "a"})
    assert bad.status_code == 200 and "位" in bad.content.decode()
    assert not Notification.objects.filter(verb="accounts.activation_code").exists()
