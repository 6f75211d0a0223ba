"""What the session remembers about its sign-in, so that the checks every request makes (password age,
second factor, idle time, lifetime) read the session already loaded and cost no query."""

import datetime as dt

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from daiban.organizations.models import User

from . import second_factor, sessions
from .models import PasswordRecord

PASSWORD_SET_AT = "daiban.password_set_at"  # noqa: S105 (a session key, not a password)


def _read(session: SessionBase, key: str) -> dt.datetime | None:
    value = session.get(key)
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def stamp_password(session: SessionBase, user: User) -> dt.datetime | None:
    set_at = PasswordRecord.objects.filter(user_id=user.pk).values_list("set_at", flat=True).first()
    session[PASSWORD_SET_AT] = set_at.isoformat() if set_at else ""
    return set_at


def password_set_at(session: SessionBase, user: User) -> dt.datetime | None:
    """When the signed-in password was set, as stamped at sign-in (read once if the stamp is missing). A
    password changed elsewhere ends this session anyway (Django's session hash), so the stamp stays true."""
    if PASSWORD_SET_AT not in session:
        return stamp_password(session, user)
    return _read(session, PASSWORD_SET_AT)


HAS_SECOND_FACTOR = "daiban.has_second_factor"


def has_second_factor(session: SessionBase, user: User) -> bool:
    """Whether the person had enrolled a second factor when signing in (then they must use it)."""
    if HAS_SECOND_FACTOR not in session:
        session[HAS_SECOND_FACTOR] = second_factor.has_second_factor(user)
    return bool(session[HAS_SECOND_FACTOR])


def stamp_sign_in(session: SessionBase, user: User) -> None:
    stamp_password(session, user)
    sessions.stamp_times(session, timezone.now())
    session[HAS_SECOND_FACTOR] = second_factor.has_second_factor(user)
