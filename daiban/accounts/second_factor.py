"""The second factor (等保 身份鉴别: two kinds of authentication for privileged users): TOTP devices from
django-otp, with single-use recovery codes (a django-otp static device).

Who must use it is one named set, `SECOND_FACTOR_ROLES` (plus the platform superuser and anyone the admin
lets in); anyone else may enrol from their account page, and from then on is asked for a code too."""

import base64

import django_otp
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from daiban.common.audit import AuditVerb, record
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role, User
from daiban.organizations.permissions import has_role

SECOND_FACTOR_ROLES = frozenset(
    {Role.SUPERVISOR, Role.COORDINATOR, Role.SECTION_REVIEWER, Role.ADMINISTRATOR}
)
RECOVERY_CODES = 10
ENROLLING = "enrolling"


def second_factor_required(user: Viewer) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or has_role(user, *SECOND_FACTOR_ROLES)


def is_verified(session: object) -> bool:
    """Whether this session passed the second factor (django-otp keeps the device that did in it)."""
    return bool(getattr(session, "get", lambda key: None)(django_otp.DEVICE_ID_SESSION_KEY))


def confirmed_totp(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def enrolling_totp(user: User) -> TOTPDevice:
    """The unconfirmed device the enrolment page shows (the same one until confirmed)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name=ENROLLING, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand (base32, in groups of four)."""
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


@transaction.atomic
def confirm_enrolment(*, user: User, token: str) -> list[str] | None:
    """Confirm the enrolling device with a code from the app; it replaces any earlier device, and a fresh set
    of recovery codes replaces the old. Returns the recovery codes (shown once), or None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, name=ENROLLING, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.name = "authenticator"
    device.save(update_fields=["confirmed", "name"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    record(actor=user, verb=AuditVerb.USER_OTP_ENROLLED, target=user)
    return codes


def verify(*, user: User, token: str) -> Device | None:
    """The device (authenticator, else a recovery code) that accepts `token`, throttled by django-otp after
    failures; every outcome is audited."""
    token = token.strip().replace(" ", "")
    device: Device | None = None
    with transaction.atomic():
        for candidate in (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first(),
            StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first(),
        ):
            if candidate is not None and candidate.verify_token(token):
                device = candidate
                break
    with transaction.atomic():
        verb = AuditVerb.USER_OTP_VERIFIED if device else AuditVerb.USER_OTP_FAILED
        record(actor=user, verb=verb, target=user, after={"device": type(device).__name__ if device else ""})
    return device
