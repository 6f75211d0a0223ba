"""Writes about identity: sign-in events, unlocking. Each is audited in the transaction that makes it."""

import datetime as dt
import hashlib
import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.notifications.services import notify
from daiban.organizations.models import Role, User
from daiban.organizations.selectors import is_staff_person, jurisdictions_where
from daiban.organizations.services import create_person
from daiban.projects.models import Applicant
from daiban.projects.services import add_representative

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
    return _redeem_code(
        identifier=identifier, code=code, new_password=new_password, verb=AuditVerb.USER_PASSWORD_RESET
    )


def activate_account(*, mobile: str, code: str, new_password: str) -> User:
    """A walk-in enterprise's first sign-in: the code the window had sent to its contact mobile sets the
    password. The same checks (and the same single answer for every refusal) as a reset."""
    return _redeem_code(
        identifier=mobile, code=code, new_password=new_password, verb=AuditVerb.USER_ACTIVATED
    )


def _redeem_code(*, identifier: str, code: str, new_password: str, verb: AuditVerb) -> User:
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
            record(actor=None, verb=verb, target=user)
    if wrong or user is None:
        raise ResetRefused
    return user


# ---- a walk-in enterprise's online account, opened by the window ----


def may_open_accounts_for(user: User, applicant: Applicant) -> bool:
    """Window clerks and administrators of the enterprise's jurisdiction open its online account."""
    return applicant.jurisdiction_id in jurisdictions_where(user, Role.CLERK, Role.ADMINISTRATOR)


def walk_in_account_of(applicant: Applicant) -> User | None:
    """The account the window opened for the enterprise and that was never activated (no password yet)."""
    for link in applicant.representatives.select_related("user"):
        if link.user.is_active and not link.user.has_usable_password():
            return link.user
    return None


@transaction.atomic
def open_walk_in_account(*, applicant: Applicant, full_name: str, by: User) -> User:
    """开通网上账户: the window opens an account for an enterprise registered at the window, named by its
    contact mobile, without a password; an activation code goes to that mobile by SMS (the applicant sets
    its own password with it, so no clerk ever knows one). Refused if the enterprise already has an
    account holder or the mobile already names a person: then the holder adds people, or the mobile's
    owner signs in."""
    if not may_open_accounts_for(by, applicant):
        raise PermissionDenied(
            _("Only a window clerk or an administrator of this jurisdiction opens accounts.")
        )
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if applicant.representatives.exists():
        raise ValidationError(
            _("This enterprise already has an online account; its holder adds other people.")
        )
    mobile = applicant.contact_mobile
    if User.objects.filter(Q(mobile=mobile) | Q(username=mobile)).exists():
        raise ValidationError(
            _("An account already uses the mobile %(mobile)s: its owner signs in, or resets the password.")
            % {"mobile": mobile}
        )
    if not full_name.strip():
        raise ValidationError(_("Enter the name of the enterprise's contact person."))
    user = create_person(username=mobile, full_name=full_name, mobile=mobile, password=None, by=by)
    add_representative(applicant=applicant, user=user, by=by)
    _send_activation_code(user=user, applicant=applicant, by=by)
    return user


@transaction.atomic
def resend_activation_code(*, applicant: Applicant, by: User) -> User:
    """The window sends a new activation code (the old one dies), within the per-account hourly limit."""
    if not may_open_accounts_for(by, applicant):
        raise PermissionDenied(
            _("Only a window clerk or an administrator of this jurisdiction opens accounts.")
        )
    user = walk_in_account_of(applicant)
    if user is None:
        raise ValidationError(_("This enterprise has no account waiting for activation."))
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    if (
        ResetCode.objects.filter(user=user, created_at__gte=hour_ago).count()
        >= settings.DAIBAN_RESET_CODES_PER_HOUR
    ):
        raise ValidationError(_("Too many codes were sent to this mobile in the last hour; try again later."))
    _send_activation_code(user=user, applicant=applicant, by=by)
    return user


def _send_activation_code(*, user: User, applicant: Applicant, by: User) -> None:
    now = timezone.now()
    hours = settings.DAIBAN_ACTIVATION_CODE_HOURS
    row = ResetCode.objects.create(
        purpose=ResetCode.Purpose.ACTIVATION,
        user=user,
        identifier_digest=_digest(user.mobile),
        expires_at=now + dt.timedelta(hours=hours),
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row.code_hash = _code_hash(row.pk, code)
    row.save(update_fields=["code_hash"])
    ResetCode.objects.filter(user=user, used_at__isnull=True).exclude(pk=row.pk).update(used_at=now)
    notify(
        recipients=[user],
        verb="accounts.activation_code",
        title=str(_("Online account activation code")),
        body=str(
            _(
                "The service centre opened an online account for %(enterprise)s. Your activation code is "
                "%(code)s, valid for %(hours)d hours: open the activation page, enter this mobile number "
                "and the code, and set your password."
            )
            % {"enterprise": applicant.name, "code": code, "hours": hours}
        ),
        url=reverse("accounts:activate"),
    )
    record(actor=by, verb=AuditVerb.USER_ACTIVATION_CODE_SENT, target=user, after={"applicant": applicant.pk})
