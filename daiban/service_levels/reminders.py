"""The daily sweep of the service's promises: refresh the clocks, then remind the person responsible when
a promise is due soon, tell them and the coordinators when it is overdue, and the supervisors once it is
`DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER` working days overdue — each message once (`notify_once` keys carry the
promise, what it is about and the deadline), like the item sweep (daiban/cases/reminders.py)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from daiban.common.jobs import isolated
from daiban.notifications.services import notify_once
from daiban.organizations.models import Role
from daiban.organizations.selectors import role_holders
from daiban.workdays.engine import CalendarYearUnknown, WarningLevel
from daiban.workdays.selectors import calendars_for

from .clocks import refresh_clocks
from .models import PromiseClock

User = get_user_model()


def sweep_promises(*, today: dt.date, chunk: int = 500) -> dict[str, int]:
    counts = {"due_soon": 0, "overdue": 0, "supervisor": 0, "failed": 0}
    counts["refreshed"] = refresh_clocks(today, chunk=chunk)
    due_soon_days = settings.DAIBAN_DUE_SOON_WORKING_DAYS
    after = settings.DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER
    # A superset of the clocks due soon or overdue (no limit of this service is shorter than a working
    # day, and due soon reaches at most `due_soon_days` working days: three weeks of calendar days cover
    # any holiday); the calendar decides below.
    horizon = today + dt.timedelta(days=7 * (due_soon_days + 3))
    clocks = (
        PromiseClock.objects.filter(met_on__isnull=True, due_on__isnull=False, due_on__lte=horizon)
        .select_related("jurisdiction", "request__jurisdiction", "responsible")
        .order_by("id")
    )
    last = 0
    while batch := list(clocks.filter(pk__gt=last)[:chunk]):
        last = batch[-1].pk
        try:
            calendars = calendars_for({c.jurisdiction.code for c in batch})
        except LookupError:
            calendars = {}
        for clock in batch:
            with isolated(counts, "promise sweep of clock", clock.pk):
                calendar = calendars.get(clock.jurisdiction.code)
                if calendar is None or clock.due_on is None:
                    continue
                try:
                    standing = calendar.standing(clock.due_on, today, due_soon_days=due_soon_days)
                except CalendarYearUnknown:
                    continue
                _remind(clock, standing.level, standing.overdue_days, after, counts)
    return counts


def _coordinators(clock: PromiseClock) -> list[User]:  # type: ignore[valid-type]
    if clock.request is not None:
        return list(role_holders(Role.COORDINATOR, unit_id=clock.request.locality_id))
    return list(role_holders(Role.COORDINATOR, jurisdiction_id=clock.jurisdiction_id))


def _remind(clock: PromiseClock, level: str, overdue_days: int, after: int, counts: dict[str, int]) -> None:
    where = {"promise": clock.get_promise_display(), "about": _about(clock), "deadline": clock.due_on}
    url = reverse("service_levels:promises")
    code = clock.jurisdiction.code
    key = f"{clock.promise}:{clock.object_id}:{clock.due_on}"
    coordinators = _coordinators(clock)
    responsible = [clock.responsible] if clock.responsible is not None else coordinators
    if level == WarningLevel.DUE_SOON:
        sent = notify_once(
            key=f"promise-due-soon:{key}",
            recipients=responsible,
            verb="promise.due_soon",
            title=_("Due soon: %(promise)s for %(about)s, deadline %(deadline)s") % where,
            url=url,
            jurisdiction_code=code,
        )
        counts["due_soon"] += bool(sent)
    elif level == WarningLevel.OVERDUE:
        sent = notify_once(
            key=f"promise-overdue:{key}",
            recipients=list({u.pk: u for u in [*responsible, *coordinators]}.values()),
            verb="promise.overdue",
            title=_("Overdue: %(promise)s for %(about)s, deadline %(deadline)s") % where,
            url=url,
            jurisdiction_code=code,
        )
        counts["overdue"] += bool(sent)
        if overdue_days >= after:
            sent = notify_once(
                key=f"promise-escalated:{key}",
                recipients=list(role_holders(Role.SUPERVISOR, jurisdiction_id=clock.jurisdiction_id)),
                verb="promise.escalated",
                title=_("Escalated, %(n)s working days overdue: %(promise)s for %(about)s")
                % {**where, "n": overdue_days},
                url=url,
                jurisdiction_code=code,
            )
            counts["supervisor"] += bool(sent)


def _about(clock: PromiseClock) -> str:
    if clock.request is not None:
        return clock.request.reference
    return f"#{clock.object_id}"
