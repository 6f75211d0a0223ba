"""Reads scoped to the person asking: whose sign-in lockouts an administrator sees and may lift."""

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role, RoleAssignment, User
from daiban.organizations.selectors import is_platform_superuser, jurisdictions_where
from daiban.projects.models import Applicant


def people_administered_by(user: Viewer) -> QuerySet[User]:
    """The accounts a jurisdiction administrator answers for: staff holding a role in, and representatives of
    enterprises registered in, the jurisdictions where they are administrator. The platform superuser answers
    for everyone."""
    if is_platform_superuser(user):
        return User.objects.all()
    ids = jurisdictions_where(user, Role.ADMINISTRATOR)
    if not ids:
        return User.objects.none()
    staff = RoleAssignment.objects.filter(jurisdiction_id__in=ids, revoked_at__isnull=True).values("user_id")
    return User.objects.filter(Q(id__in=staff) | Q(represents__applicant__jurisdiction_id__in=ids)).distinct()


def counting_since() -> dt.datetime | None:
    """Failures older than this no longer count (none: they count until an administrator unlocks)."""
    cool_off = settings.AXES_COOLOFF_TIME
    return timezone.now() - cool_off if cool_off else None


@dataclass(frozen=True)
class LockedAccount:
    user: User
    failures: int
    last_failed_at: dt.datetime


def locked_accounts_visible_to(user: Viewer) -> list[LockedAccount]:
    """Accounts locked by repeated failed sign-ins that `user` may unlock, most recent first."""
    attempts = AccessAttempt.objects.exclude(username__isnull=True)
    since = counting_since()
    if since is not None:
        attempts = attempts.filter(attempt_time__gte=since)
    totals = {
        row["username"]: row
        for row in attempts.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    }
    people = people_administered_by(user).filter(username__in=list(totals))
    locked = [
        LockedAccount(
            user=p, failures=totals[p.username]["failures"], last_failed_at=totals[p.username]["last"]
        )
        for p in people
    ]
    return sorted(locked, key=lambda a: a.last_failed_at, reverse=True)


def enterprises_opened_by(user: Viewer) -> QuerySet[Applicant]:
    """The enterprises whose online account a window clerk or administrator may open: those registered in
    the jurisdictions where they hold either role (every one for the platform superuser)."""
    return Applicant.objects.filter(
        jurisdiction_id__in=jurisdictions_where(user, Role.CLERK, Role.ADMINISTRATOR)
    )
