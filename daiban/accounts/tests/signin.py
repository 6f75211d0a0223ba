"""Signing a test client in as the login page does, without the round trip: `sign_in_fully` is force_login
plus the stamps the login page writes into the session. The root conftest makes every test's
`Client.force_login` do this, so tests of other apps open pages as a fully signed-in person; tests of the
sign-in itself use `sign_in_password_only` or the login page."""

from django.conf import settings
from django.test import Client

from daiban.accounts import stamps
from daiban.organizations.models import User

_plain_force_login = Client.force_login


def sign_in_password_only(client: Client, user: User, backend: str | None = None) -> None:
    _plain_force_login(client, user, backend or settings.AUTHENTICATION_BACKENDS[-1])


def sign_in_fully(client: Client, user: User, backend: str | None = None) -> None:
    sign_in_password_only(client, user, backend)
    session = client.session
    stamps.stamp_sign_in(session, user)
    session.save()
