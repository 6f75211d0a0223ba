"""Session limits (等保: 登录连接超时自动退出, no concurrent use of a staff account): idle timeout, absolute
lifetime, one session per staff account, sign out everywhere. Django's own session store holds the sessions;
`SignedInSession` indexes them by person, so ending a person's sessions never scans the store."""

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import models, transaction
from django.utils import timezone

from daiban.common.audit import AuditVerb, record
from daiban.organizations.models import User
from daiban.organizations.selectors import is_staff_person

from .models import SignedInSession

SIGNED_IN_AT = "daiban.signed_in_at"
LAST_SEEN_AT = "daiban.last_seen_at"
# How stale "last seen" may get before a request writes it again (so not every request saves the session).
LAST_SEEN_GRANULARITY = dt.timedelta(seconds=60)


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key=session_key)
    return store


def idle_limit(user: User) -> dt.timedelta:
    minutes = (
        settings.DAIBAN_IDLE_MINUTES_STAFF if is_staff_person(user) else settings.DAIBAN_IDLE_MINUTES_OTHERS
    )
    return dt.timedelta(minutes=minutes)


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.DAIBAN_SESSION_HOURS)


def _read(session: SessionBase, key: str) -> dt.datetime | None:
    value = session.get(key)
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def stamp_times(session: SessionBase, now: dt.datetime) -> None:
    session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now.isoformat()


def expired(session: SessionBase, user: User, now: dt.datetime) -> bool:
    """Whether the session has been idle too long or lived too long. A session without stamps (signed in
    by other means) starts counting now."""
    signed_in_at, last_seen_at = _read(session, SIGNED_IN_AT), _read(session, LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        stamp_times(session, now)
        return False
    if now - last_seen_at > idle_limit(user) or now - signed_in_at > lifetime():
        return True
    if now - last_seen_at > LAST_SEEN_GRANULARITY:
        session[LAST_SEEN_AT] = now.isoformat()
    return False


@transaction.atomic
def start(*, user: User, session: SessionBase, address: str | None) -> int:
    """Index the new session; a staff account's older sessions end (no concurrent use of one account).
    Returns how many were ended."""
    key = session.session_key
    assert key is not None, "the session is saved at sign-in"
    now = timezone.now()
    SignedInSession.objects.update_or_create(session_key=key, defaults={"user": user, "address": address})
    others = SignedInSession.objects.filter(user=user).exclude(session_key=key)
    if is_staff_person(user):
        ended = _end(others)
        if ended:
            record(
                actor=user,
                verb=AuditVerb.USER_SESSIONS_ENDED,
                target=user,
                after={"ended": ended, "why": "new sign-in"},
            )
        return ended
    others.filter(signed_in_at__lt=now - lifetime()).delete()  # long gone anyway
    return 0


def _end(sessions: models.QuerySet[SignedInSession]) -> int:
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete()
    SignedInSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def end_everywhere(*, user: User) -> int:
    """Sign the person out of every session, this one included."""
    ended = _end(SignedInSession.objects.filter(user=user))
    record(
        actor=user, verb=AuditVerb.USER_SESSIONS_ENDED, target=user, after={"ended": ended, "why": "asked"}
    )
    return ended


@transaction.atomic
def record_sign_out(*, user: User, session_key: str | None, expired: bool = False) -> None:
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).delete()
    verb = AuditVerb.USER_SESSION_EXPIRED if expired else AuditVerb.USER_LOGGED_OUT
    record(actor=user, verb=verb, target=user)
