"""Signing a test client in as the login page does, without the round trip: `sign_in_fully` is force_login
plus the stamps the login page writes into the session. The root conftest makes every test's
`Client.force_login` do this, so tests of other apps open pages as a fully signed-in person; tests of the
sign-in itself use `sign_in_password_only` or the login page."""

import time

import django_otp
from django.conf import settings
from django.test import Client
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from daiban.accounts import second_factor, stamps
from daiban.organizations.models import User

_plain_force_login = Client.force_login


def sign_in_password_only(client: Client, user: User, backend: str | None = None) -> None:
    _plain_force_login(client, user, backend or settings.AUTHENTICATION_BACKENDS[-1])


def verified_device(user: User) -> TOTPDevice:
    """The person's authenticator (one is made for people the second factor is required of who have none)."""
    device = second_factor.confirmed_totp(user)
    return device or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or a step later), computed as django-otp does."""
    t = int(time.time() - device.t0) // device.step + steps_ahead
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"


def sign_in_fully(client: Client, user: User, backend: str | None = None) -> None:
    sign_in_password_only(client, user, backend)
    session = client.session
    stamps.stamp_sign_in(session, user)
    if second_factor.second_factor_required(user) or session[stamps.HAS_SECOND_FACTOR]:
        session[django_otp.DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
