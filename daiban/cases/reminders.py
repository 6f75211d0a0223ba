"""The daily sweep: remind agents before a deadline, escalate overdue items to the coordinators and then
the supervisors, and remind applicants of materials they promised (容缺). Everything is derived from stored
dates on the day given, and every message has a key, so running the sweep twice sends nothing twice. Each
item runs isolated: one that fails is logged and counted, the others go on, and the retry sends it."""

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.common.jobs import isolated
from daiban.notifications.services import notify_once
from daiban.organizations.models import Role
from daiban.organizations.selectors import role_holders
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.selectors import calendar_for

from .deadlines import item_clocks, refresh_due_dates
from .models import CLOCK_STATES, OPEN_STATES, CaseItem, ItemMaterial
from .selectors import agent_units_for, unstaffed_items


def sweep_deadlines(*, today: dt.date, chunk: int = 500) -> dict[str, int]:
    counts = {"due_soon": 0, "overdue": 0, "supervisor": 0, "promised": 0, "failed": 0}
    # Stored deadlines follow any edit of the holiday schedule since yesterday.
    counts["refreshed"] = refresh_due_dates(
        CaseItem.objects.filter(state__in=CLOCK_STATES, request__state__in=OPEN_STATES)
    )
    items = (
        CaseItem.objects.filter(
            state__in=CLOCK_STATES, request__state__in=OPEN_STATES, filed_on__isnull=False
        )
        .select_related("request__jurisdiction", "request__project", "approval_item", "agent")
        .prefetch_related("stops")
        .order_by("id")
    )
    after = settings.DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER
    for start in range(0, items.count(), chunk):
        batch = list(items[start : start + chunk])
        clocks = item_clocks(batch, today)
        for item in batch:
            with isolated(counts, "deadline sweep of item", item.pk):
                clock = clocks[item.pk]
                if clock.deadline_on is None:
                    continue
                where = {
                    "item": item.approval_item.name,
                    "project": item.request.project.name,
                    "deadline": clock.deadline_on,
                }
                url = reverse("cases:item_detail", args=[item.request_id, item.pk])
                code = item.request.jurisdiction.code
                if clock.level == "due_soon" and item.agent is not None:
                    sent = notify_once(
                        key=f"due_soon:{item.pk}:{clock.deadline_on}",
                        recipients=[item.agent],
                        verb="item.due_soon",
                        title=_("Due soon: %(item)s of %(project)s, deadline %(deadline)s") % where,
                        url=url,
                        jurisdiction_code=code,
                    )
                    counts["due_soon"] += bool(sent)
                elif clock.level == "overdue":
                    coordinators = list(role_holders(Role.COORDINATOR, unit_id=item.responsible_unit_id))
                    sent = notify_once(
                        key=f"overdue:{item.pk}:{clock.deadline_on}",
                        recipients=[*coordinators, *([item.agent] if item.agent else [])],
                        verb="item.overdue",
                        title=_("Overdue: %(item)s of %(project)s, deadline %(deadline)s") % where,
                        url=url,
                        jurisdiction_code=code,
                    )
                    if sent:  # the first sweep to find it overdue past this deadline: an event (webhooks)
                        record(
                            actor=None,
                            verb=AuditVerb.ITEM_DEADLINE_PASSED,
                            target=item,
                            after={"deadline_on": clock.deadline_on.isoformat()},
                        )
                    counts["overdue"] += bool(sent)
                    overdue_days = calendar_for(code).working_days_between(clock.deadline_on, today)
                    if overdue_days >= after:
                        sent = notify_once(
                            key=f"overdue-supervisor:{item.pk}:{clock.deadline_on}",
                            recipients=list(
                                role_holders(Role.SUPERVISOR, jurisdiction_id=item.request.jurisdiction_id)
                            ),
                            verb="item.escalated",
                            title=_("Escalated, %(n)s working days overdue: %(item)s of %(project)s")
                            % {**where, "n": overdue_days},
                            url=url,
                            jurisdiction_code=code,
                        )
                        counts["supervisor"] += bool(sent)
    _remind_promises(today, counts)
    counts["unstaffed"] = alert_unstaffed(CaseItem.objects.all())
    return counts


def _remind_promises(today: dt.date, counts: dict[str, int]) -> None:
    """Applicants who promised a non-key material hear about it the working day before, and when it is
    late."""
    lines = (
        ItemMaterial.objects.filter(
            status=ItemMaterial.Status.PROMISED,
            promised_on__isnull=False,
            case_item__request__state__in=OPEN_STATES,
        )
        .select_related(
            "material", "case_item__request__jurisdiction", "case_item__approval_item", "case_item__agent"
        )
        .prefetch_related(Prefetch("case_item__request__applicant__representatives__user"))
    )
    for line in lines:
        with isolated(counts, "promise reminder of checklist line", line.pk):
            request, promised_on = line.case_item.request, line.promised_on
            if promised_on is None:  # excluded by the query; says so to the type checker
                continue
            try:
                left = calendar_for(request.jurisdiction.code).working_days_between(today, promised_on)
            except CalendarYearUnknown:
                continue
            if left > 1:
                continue
            stage = "late" if today > promised_on else "soon"
            users = [rep.user for rep in request.applicant.representatives.all()]
            if stage == "late" and line.case_item.agent is not None:
                users.append(line.case_item.agent)  # the agent follows a late 容缺 material up too
            title = (
                _("Promised material overdue: %(material)s (promised %(on)s)")
                if stage == "late"
                else _("Please supply %(material)s by %(on)s as promised")
            ) % {"material": line.material.name, "on": line.promised_on}
            if notify_once(
                key=f"promise-{stage}:{line.pk}:{line.promised_on}",
                recipients=users,
                verb="material.promise_due",
                title=title,
                url=reverse("cases:request_detail", args=[request.pk]),
                jurisdiction_code=request.jurisdiction.code,
            ):
                counts["promised"] += 1


def alert_unstaffed(items: QuerySet[CaseItem]) -> int:
    """无人处理: each item nobody can take further (no agent in its units, or no reviewer for its section)
    is reported once to the coordinators who staff it (its unit's and its township's) and to the
    jurisdiction's supervisors; the dispatch
    page lists them until someone is appointed. Returns how many alerts were sent."""
    sent = 0
    for item in unstaffed_items(items):
        why = "agent" if item.agent_id is None else "reviewer"
        request = item.request
        supervisors = role_holders(Role.SUPERVISOR, jurisdiction=request.jurisdiction)
        coordinators = role_holders(Role.COORDINATOR, unit_id__in=agent_units_for(item, request))
        recipients = [*coordinators, *supervisors]
        names = {"item": item.approval_item.name, "project": request.project.name, "ref": request.reference}
        title = (
            _("Nobody can handle %(item)s of %(project)s (%(ref)s): its units have no agent")
            if why == "agent"
            else _("Nobody can review %(item)s of %(project)s (%(ref)s): its section has no reviewer")
        ) % names
        if notify_once(
            key=f"unstaffed-{why}:{item.pk}",
            recipients=recipients,
            verb=AuditVerb.ITEM_FOUND_UNSTAFFED,
            title=title,
            url=reverse("cases:dispatch") + "#unstaffed",
            jurisdiction_code=request.jurisdiction.code,
        ):
            sent += 1
    return sent
