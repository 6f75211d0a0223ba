"""Writes about identity: sign-in events, unlocking. Each is audited in the transaction that makes it."""

import datetime as dt
import hashlib
import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.notifications.services import notify
from daiban.organizations.models import User
from daiban.organizations.selectors import is_staff_person

from .models import PasswordRecord, ResetCode


@transaction.atomic
def record_failed_sign_in(*, username: str, failures: int, locked: bool) -> None:
    """Audit one refused sign-in (and the lockout it caused, on the failure that reached the limit). The
    entry names the account when it exists, else the throttling record of the name tried."""
    target: User | AccessAttempt | None = User.objects.filter(username=username).first()
    if target is None:
        target = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
    if target is None:
        return
    details = {"username": username[:150], "failures": failures}
    record(actor=None, verb=AuditVerb.USER_LOGIN_FAILED, target=target, after=details)
    if locked and failures == settings.AXES_FAILURE_LIMIT:
        record(actor=None, verb=AuditVerb.USER_LOCKED_OUT, target=target, after=details)


@transaction.atomic
def record_sign_in(*, user: User) -> None:
    record(actor=user, verb=AuditVerb.USER_LOGGED_IN, target=user)


@transaction.atomic
def unlock_account(*, user: User, by: User) -> int:
    """Lift a lockout: forget the account's failed attempts (and with them their weight on the addresses
    they came from). Returns how many throttling records were cleared."""
    cleared: int = axes_reset(username=user.get_username())
    record(actor=by, verb=AuditVerb.USER_UNLOCKED, target=user, after={"cleared": cleared})
    return cleared


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    """Set a password the policy has already accepted (the forms run `validate_password`); the history
    validator records it as the user is saved."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(actor=user, verb=AuditVerb.USER_PASSWORD_CHANGED, target=user)


def password_set_at(user: User) -> dt.datetime | None:
    return PasswordRecord.objects.filter(user_id=user.pk).values_list("set_at", flat=True).first()


def password_expired(user: User, set_at: dt.datetime | None, *, now: dt.datetime | None = None) -> bool:
    """Staff must change their password `DAIBAN_PASSWORD_MAX_AGE_DAYS` after setting it (`set_at`)."""
    if set_at is None or not is_staff_person(user):
        return False
    return (now or timezone.now()) - set_at > dt.timedelta(days=settings.DAIBAN_PASSWORD_MAX_AGE_DAYS)


# ---- password reset by a code sent over SMS and e-mail ----

CODE_DIGITS = 6
MAX_WRONG_CODES = 5


class ResetRefused(Exception):
    """The code is wrong, expired, used or exhausted — one answer for all, and for unknown accounts too."""


def _digest(identifier: str) -> str:
    return hashlib.sha256(identifier.strip().lower().encode()).hexdigest()


def _code_hash(row_id: int, code: str) -> str:
    return salted_hmac("daiban.accounts.reset-code", f"{row_id}:{code}", algorithm="sha256").hexdigest()


def account_named(identifier: str) -> User | None:
    """The one active account a person names by username, mobile number or e-mail; none if ambiguous."""
    identifier = identifier.strip()
    if not identifier:
        return None
    for lookup in ("username", "mobile", "email__iexact"):
        found = list(User.objects.filter(is_active=True, **{lookup: identifier})[:2])
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


@transaction.atomic
def request_reset_code(*, identifier: str, address: str | None) -> None:
    """Send a code to the named account's mobile and e-mail, unless the account or the address has asked
    too often in the last hour. Says nothing either way: the caller answers the same whatever happened, so
    nobody learns which accounts exist."""
    now = timezone.now()
    digest = _digest(identifier)
    hour_ago = now - dt.timedelta(hours=1)
    recent = ResetCode.objects.filter(created_at__gte=hour_ago)
    if recent.filter(identifier_digest=digest).count() >= settings.DAIBAN_RESET_CODES_PER_HOUR or (
        address and recent.filter(address=address).count() >= settings.DAIBAN_RESET_CODES_PER_ADDRESS_PER_HOUR
    ):
        return
    user = account_named(identifier)
    row = ResetCode.objects.create(
        user=user,
        identifier_digest=digest,
        address=address,
        expires_at=now + dt.timedelta(minutes=settings.DAIBAN_RESET_CODE_MINUTES),
    )
    if user is None:
        return
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row.code_hash = _code_hash(row.pk, code)
    row.save(update_fields=["code_hash"])
    # Older unused codes of the account die: only the newest one works.
    ResetCode.objects.filter(user=user, used_at__isnull=True).exclude(pk=row.pk).update(used_at=now)
    minutes = settings.DAIBAN_RESET_CODE_MINUTES
    notify(
        recipients=[user],
        verb="accounts.reset_code",
        title=str(_("Password reset code")),
        body=str(
            _(
                "Your password reset code is %(code)s, valid for %(minutes)d minutes. "
                "If you did not ask for it, ignore this message."
            )
            % {"code": code, "minutes": minutes}
        ),
    )
    record(actor=None, verb=AuditVerb.USER_RESET_CODE_SENT, target=user, after={"address": address})


def reset_password(*, identifier: str, code: str, new_password: str) -> User:
    """Check the code and set the new password (already accepted by the policy for this account), in one
    transaction; a wrong code counts against the newest code of the account and is committed as such.
    Raises `ResetRefused` for any wrong, expired, used or exhausted code, and for unknown accounts."""
    with transaction.atomic():
        user = account_named(identifier)
        row = (
            ResetCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
            if user is not None
            else None
        )
        now = timezone.now()
        if row is None or row.expires_at <= now or row.failed_attempts >= MAX_WRONG_CODES:
            raise ResetRefused
        if not constant_time_compare(row.code_hash, _code_hash(row.pk, code)):
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            wrong = True
        else:
            wrong = False
            row.used_at = now
            row.save(update_fields=["used_at"])
            assert user is not None  # a code row exists only for a known account
            user.set_password(new_password)
            user.save(update_fields=["password"])
            axes_reset(username=user.get_username())  # proving the mobile or mailbox lifts a lockout
            record(actor=None, verb=AuditVerb.USER_PASSWORD_RESET, target=user)
    if wrong or user is None:
        raise ResetRefused
    return user
