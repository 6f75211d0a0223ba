"""Two-factor authentication: required of supervisors, coordinators, reviewers and administrators (and the
Django admin's users), optional for the others; enrolment with recovery codes; every event audited."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from daiban.accounts import second_factor
from daiban.accounts.tests.signin import sign_in_password_only, totp_code, verified_device
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role, User

DASHBOARD = "oversight:dashboard"


def audited(user: User, verb: str) -> int:
    return AuditEntry.objects.filter(
        verb=verb, target_id=str(user.pk), target_type="organizations.user"
    ).count()


def password_only(user: User) -> Client:
    client = Client()
    sign_in_password_only(client, user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.SUPERVISOR, "gaiban"),
        (Role.COORDINATOR, "gyyq"),
        (Role.ADMINISTRATOR, None),
    ],
)
def test_the_second_factor_is_required_of_these_roles(youyang, make_staff, role, unit):
    user = make_staff(role, youyang, unit)
    response = password_only(user).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol") + "?next=")
    verified_device(user)
    response = password_only(user).get(reverse("home"))
    assert response["Location"] == reverse("accounts:otp_verify") + "?next=%2Fhome%2F"


@pytest.mark.django_db
def test_reviewers_need_it_and_agents_do_not(youyang, make_staff):
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    agent = make_staff(Role.AGENT, youyang, "gyyq")
    assert second_factor.second_factor_required(reviewer)
    assert not second_factor.second_factor_required(agent)
    assert password_only(agent).get(reverse("cases:worklist")).status_code == 200


@pytest.mark.django_db
def test_a_staff_session_without_the_code_reaches_no_staff_page(youyang, make_staff):
    supervisor = make_staff(Role.SUPERVISOR, youyang, "gaiban")
    device = verified_device(supervisor)
    client = password_only(supervisor)
    for name in (DASHBOARD, "cases:request_list", "accounts:account", "accounts:password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.post(reverse("oversight:issue_list"), {}).status_code == 302  # a POST neither
    verify = reverse("accounts:otp_verify") + "?next=" + reverse(DASHBOARD)
    response = client.post(verify, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert audited(supervisor, AuditVerb.USER_OTP_FAILED) == 1
    # Right after a failure even the right code waits (django-otp's throttle doubles the wait each time).
    assert client.post(verify, {"code": totp_code(device)}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=10)
    )
    response = client.post(verify, {"code": totp_code(device), "next": reverse(DASHBOARD)})
    assert response.status_code == 302 and response["Location"] == reverse(DASHBOARD)
    assert client.get(reverse(DASHBOARD)).status_code == 200
    assert audited(supervisor, AuditVerb.USER_OTP_VERIFIED) == 1
    # The same code twice is refused (replay).
    again = password_only(supervisor)
    assert again.post(verify, {"code": totp_code(device)}).status_code == 200


@pytest.mark.django_db
def test_the_django_admin_requires_the_second_factor(youyang, make_staff):
    admin = make_staff(Role.ADMINISTRATOR, youyang)
    response = password_only(admin).get("/admin/organizations/unit/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_enrol"))
    root = User.objects.create_superuser("root-2fa", password="pw-for-tests-1")
    response = password_only(root).get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_enrol"))


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_and_the_key_then_recovery_codes(youyang, make_staff):
    coordinator = make_staff(Role.COORDINATOR, youyang, "gyyq")
    client = Client()
    response = client.post(reverse("login"), {"username": coordinator.username, "password": "pw-for-tests-1"})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    page = response.content.decode()
    assert response.request["PATH_INFO"] == reverse("accounts:otp_enrol")
    assert "<svg" in page and "双因素认证" in page
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert second_factor.secret_text(device) in page
    response = client.post(reverse("accounts:otp_enrol"), {"code": totp_code(device), "next": "/home/"})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(codes) == second_factor.RECOVERY_CODES
    assert audited(coordinator, AuditVerb.USER_OTP_ENROLLED) == 1
    assert client.get(reverse("cases:dispatch")).status_code == 200

    # Next time: password, then a recovery code (once).
    later = Client()
    later.post(reverse("login"), {"username": coordinator.username, "password": "pw-for-tests-1"})
    assert later.get(reverse("cases:dispatch"))["Location"].startswith(reverse("accounts:otp_verify"))
    assert later.post(reverse("accounts:otp_verify"), {"code": codes[0]}).status_code == 302
    assert later.get(reverse("cases:dispatch")).status_code == 200
    third = Client()
    third.post(reverse("login"), {"username": coordinator.username, "password": "pw-for-tests-1"})
    assert third.post(reverse("accounts:otp_verify"), {"code": codes[0]}).status_code == 200


@pytest.mark.django_db
def test_a_password_alone_cannot_replace_the_second_factor(youyang, make_staff):
    supervisor = make_staff(Role.SUPERVISOR, youyang, "gaiban")
    verified_device(supervisor)
    response = password_only(supervisor).get(reverse("accounts:otp_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))
    assert TOTPDevice.objects.filter(user=supervisor).count() == 1


@pytest.mark.django_db
def test_an_applicant_may_enrol_and_is_then_asked(applicant_user):
    client = password_only(applicant_user)
    assert client.get(reverse("home")).status_code == 200
    client.get(reverse("accounts:otp_enrol"))
    device = TOTPDevice.objects.get(user=applicant_user, confirmed=False)
    client.post(reverse("accounts:otp_enrol"), {"code": totp_code(device)})
    assert client.get(reverse("home")).status_code == 200
    later = Client()
    later.post(reverse("login"), {"username": applicant_user.username, "password": "pw-for-tests-1"})
    assert later.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))
