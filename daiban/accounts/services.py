"""Writes about identity: sign-in events, unlocking. Each is audited in the transaction that makes it."""

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction

from daiban.common.audit import AuditVerb, record
from daiban.organizations.models import User


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
