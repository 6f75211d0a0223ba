"""Writes for the reform office's issue list (需协办事项问题清单): raise, assign by locality with a
working-day deadline, follow up, resolve, reopen; the daily escalation of overdue issues; ledger
submission, inspections; and the city dashboard's snapshot."""

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.cases.models import CaseItem
from daiban.common.audit import AuditVerb, record, snapshot
from daiban.common.jobs import isolated
from daiban.common.validators import future_date_error
from daiban.common.workflow import NotYourStep
from daiban.notifications.services import notify, notify_once
from daiban.organizations.models import Jurisdiction, Role, Unit, User
from daiban.organizations.selectors import active_roles, coordinator_units, jurisdictions_where, role_holders
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.quarters import Quarter
from daiban.workdays.selectors import calendar_for

from .dashboard import city_scope, figures_for
from .ledger import ledger_due_on, ledger_figures
from .models import (
    CoordinationIssue,
    DashboardSnapshot,
    Forum,
    ForumOpinion,
    Inspection,
    IssueNote,
    QuarterlyLedger,
    RequiredAction,
)
from .workflows import ASSIGNEE_OR_SUPERVISOR, ISSUE

TEXT_MAX = 2000
RAISING_ROLES = (Role.AGENT, Role.COORDINATOR)


def _check_text(title: str, description: str) -> dict[str, str]:
    errors = {}
    if not 4 <= len(title.strip()) <= 200:
        errors["title"] = _("Name the problem in a few words.")
    if not 10 <= len(description.strip()) <= TEXT_MAX:
        errors["description"] = _("Describe what is blocked and who is involved.")
    return errors


def _url(issue: CoordinationIssue) -> str:
    return reverse("oversight:issue_detail", args=[issue.pk])


@transaction.atomic
def raise_issue_from_item(*, item: CaseItem, title: str, description: str, by: User) -> CoordinationIssue:
    """An agent takes a problem it cannot solve alone to the reform office's issue list."""
    item = CaseItem.objects.select_related("request__jurisdiction", "request__project", "approval_item").get(
        pk=item.pk
    )
    if item.agent_id != by.pk:
        raise NotYourStep(_("Only the item's agent raises a coordination problem from it."))
    errors = _check_text(title, description)
    if errors:
        raise ValidationError(errors)
    request = item.request
    issue = CoordinationIssue.objects.create(
        jurisdiction=request.jurisdiction,
        case_item=item,
        unit=request.locality,
        title=title.strip()[:200],
        description=description.strip(),
        raised_by=by,
    )
    record(
        actor=by,
        verb=AuditVerb.ISSUE_RAISED,
        target=issue,
        after=snapshot(issue, ["title", "case_item", "status"]),
    )
    supervisors = role_holders(Role.SUPERVISOR, jurisdiction=request.jurisdiction)
    notify(
        recipients=supervisors,
        verb=AuditVerb.ISSUE_RAISED,
        title=_("Coordination problem raised: %(title)s") % {"title": issue.title},
        body=f"{request.project.name} · {item.approval_item.name}",
        url=_url(issue),
        jurisdiction_code=request.jurisdiction.code,
    )
    return issue


@transaction.atomic
def raise_issue(
    *, jurisdiction: Jurisdiction, unit: Unit, title: str, description: str, by: User
) -> CoordinationIssue:
    """A unit (its coordinator or an agent) puts a problem on the list on its own, not from an item."""
    if not any(a.role in RAISING_ROLES and a.jurisdiction_id == jurisdiction.pk for a in active_roles(by)):
        raise NotYourStep(_("Only coordinators and agents of this jurisdiction raise problems here."))
    return _put_on_list(jurisdiction=jurisdiction, unit=unit, title=title, description=description, by=by)


def _put_on_list(
    *, jurisdiction: Jurisdiction, unit: Unit, title: str, description: str, by: User
) -> CoordinationIssue:
    """The one way an issue not tied to an item gets on the list (raised by a unit, or from a forum):
    checked, audited and told to the reform office."""
    errors = _check_text(title, description)
    if unit.jurisdiction_id != jurisdiction.pk or unit.kind not in (
        Unit.Kind.TOWNSHIP,
        Unit.Kind.PARK,
        Unit.Kind.DEPARTMENT,
    ):
        errors["unit"] = _("Choose a township, park or department of this jurisdiction.")
    if errors:
        raise ValidationError(errors)
    issue = CoordinationIssue.objects.create(
        jurisdiction=jurisdiction,
        unit=unit,
        title=title.strip(),
        description=description.strip(),
        raised_by=by,
    )
    record(
        actor=by,
        verb=AuditVerb.ISSUE_RAISED,
        target=issue,
        after=snapshot(issue, ["title", "unit", "status"]),
    )
    notify(
        recipients=role_holders(Role.SUPERVISOR, jurisdiction=jurisdiction),
        verb=AuditVerb.ISSUE_RAISED,
        title=_("Coordination problem raised: %(title)s") % {"title": issue.title},
        body=unit.name,
        url=_url(issue),
        jurisdiction_code=jurisdiction.code,
    )
    return issue


def eligible_assignees(issue: CoordinationIssue) -> list[User]:
    """按属地: agents of the issue's locality, and for an item's issue also of the item's responsible unit."""
    units = {issue.unit_id} if issue.unit_id else set()
    item = issue.case_item
    if item is not None:
        units.add(item.responsible_unit_id)
    return list(role_holders(Role.AGENT, unit_id__in=units).order_by("full_name", "id"))


@transaction.atomic
def assign_issue(
    *, issue: CoordinationIssue, assignee: User, working_days: int, by: User
) -> CoordinationIssue:
    """The reform office tells the responsible agent of the locality, with a deadline in working days."""
    issue = ISSUE.lock(issue)
    ISSUE.check(issue, "assign", by=by)
    if assignee.pk not in {a.pk for a in eligible_assignees(issue)}:
        raise ValidationError({"assignee": _("Choose an agent of the locality or unit concerned.")})
    if not 1 <= working_days <= 60:
        raise ValidationError({"working_days": _("Give 1 to 60 working days.")})
    today = timezone.localdate()
    try:
        due_on = calendar_for(issue.jurisdiction.code).add_working_days(today, working_days)
    except CalendarYearUnknown as exc:
        raise ValidationError({"working_days": exc.user_message}) from None
    changes = {"assignee": assignee, "assigned_at": timezone.now(), "due_on": due_on}
    note = f"{assignee.display_name} · {due_on.isoformat()}"
    return ISSUE.apply(issue, "assign", by=by, changes=changes, note=note)


def _issue_text(text: str, message: str) -> str:
    text = text.strip()
    if not 4 <= len(text) <= TEXT_MAX:
        raise ValidationError({"text": message})
    return text


@transaction.atomic
def resolve_issue(*, issue: CoordinationIssue, resolution: str, by: User) -> CoordinationIssue:
    issue = ISSUE.lock(issue)
    ISSUE.check(issue, "resolve", by=by)
    text = _issue_text(resolution, _("Write how it was resolved."))
    changes = {"resolution": text, "resolved_at": timezone.now()}
    return ISSUE.apply(issue, "resolve", by=by, changes=changes, note=text)


@transaction.atomic
def reopen_issue(*, issue: CoordinationIssue, reason: str, by: User) -> CoordinationIssue:
    issue = ISSUE.lock(issue)
    ISSUE.check(issue, "reopen", by=by)
    text = _issue_text(reason, _("Say why it is not resolved."))
    return ISSUE.apply(issue, "reopen", by=by, changes={"resolved_at": None}, note=text)


@transaction.atomic
def add_issue_follow_up(*, issue: CoordinationIssue, text: str, by: User) -> IssueNote:
    """跟踪: what was done meanwhile, by the assignee or a supervisor."""
    issue = ISSUE.lock(issue)
    if not ASSIGNEE_OR_SUPERVISOR.allows(by, issue):
        raise NotYourStep(_("You are not the one who records this step."))
    if issue.status == CoordinationIssue.Status.RESOLVED:
        raise ValidationError(_("The issue is resolved; reopen it first."))
    if not 2 <= len(text.strip()) <= TEXT_MAX:
        raise ValidationError({"text": _("Write what was done.")})
    note = IssueNote.objects.create(issue=issue, verb=AuditVerb.ISSUE_FOLLOWED_UP, text=text.strip(), by=by)
    record(actor=by, verb=AuditVerb.ISSUE_FOLLOWED_UP, target=issue, after={"note": text.strip()})
    return note


def escalate_overdue_issues(*, today: dt.date) -> dict[str, int]:
    """Daily: an issue past its deadline is sent to its agent and the locality's coordinators; once it is
    DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER working days late, to the supervisors too. Keyed, so never twice; each
    issue runs isolated, so one that fails is counted and retried while the others go on (ADR 0007)."""
    counts = {"overdue": 0, "supervisor": 0, "failed": 0}
    after = settings.DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER
    overdue = CoordinationIssue.objects.filter(status=CoordinationIssue.Status.ASSIGNED, due_on__lt=today)
    for issue in overdue.select_related("jurisdiction", "assignee").order_by("id").iterator(chunk_size=500):
        with isolated(counts, "escalation of coordination issue", issue.pk):
            assert issue.due_on is not None
            where = {"title": issue.title, "due": issue.due_on}
            code = issue.jurisdiction.code
            coordinators = (
                list(role_holders(Role.COORDINATOR, unit_id=issue.unit_id)) if issue.unit_id else []
            )
            sent = notify_once(
                key=f"issue-overdue:{issue.pk}:{issue.due_on}",
                recipients=[*coordinators, *([issue.assignee] if issue.assignee else [])],
                verb="issue.overdue",
                title=_("Coordination problem overdue (due %(due)s): %(title)s") % where,
                url=_url(issue),
                jurisdiction_code=code,
            )
            counts["overdue"] += bool(sent)
            try:
                late = calendar_for(code).working_days_between(issue.due_on, today)
            except CalendarYearUnknown:
                continue
            if late >= after:
                sent = notify_once(
                    key=f"issue-escalated:{issue.pk}:{issue.due_on}",
                    recipients=role_holders(Role.SUPERVISOR, jurisdiction=issue.jurisdiction),
                    verb="issue.escalated",
                    title=_("Escalated: coordination problem %(n)s working days overdue: %(title)s")
                    % (where | {"n": late}),
                    url=_url(issue),
                    jurisdiction_code=code,
                )
                counts["supervisor"] += bool(sent)
    return counts


@transaction.atomic
def submit_ledger(*, unit: Unit, quarter: Quarter, annotation: str, by: User) -> QuarterlyLedger:
    """The unit's coordinator reviews the computed ledger, adds its notes and submits it; figures freeze."""
    if unit.pk not in coordinator_units(by):
        raise NotYourStep(_("Only a coordinator of this unit submits its ledger."))
    if quarter.last_day >= timezone.localdate():
        raise ValidationError(_("A quarter's ledger is submitted after the quarter ends."))
    if QuarterlyLedger.objects.filter(unit=unit).of(quarter).exists():
        raise ValidationError(_("This quarter's ledger was already submitted."))
    text = annotation.strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({"annotation": _("At most %(n)s characters, please.") % {"n": TEXT_MAX}})
    jurisdiction = unit.jurisdiction
    figures = ledger_figures(jurisdiction, quarter, units=Unit.objects.filter(pk=unit.pk)).units[unit.pk]
    ledger = QuarterlyLedger.objects.create(
        jurisdiction=jurisdiction,
        unit=unit,
        year=quarter.year,
        quarter=quarter.number,
        figures=figures.as_dict(),
        annotation=text,
        submitted_by=by,
        due_on=ledger_due_on(jurisdiction, quarter),
    )
    record(
        actor=by,
        verb=AuditVerb.LEDGER_SUBMITTED,
        target=ledger,
        after={"figures": ledger.figures, "annotation": text},
    )
    notify(
        recipients=role_holders(Role.SUPERVISOR, jurisdiction=jurisdiction),
        verb=AuditVerb.LEDGER_SUBMITTED,
        title=_("%(unit)s submitted its ledger for %(quarter)s")
        % {"unit": unit.name, "quarter": quarter.label},
        url=reverse("oversight:ledger_list") + f"?{quarter.query}",
        jurisdiction_code=jurisdiction.code,
    )
    return ledger


@dataclass(frozen=True)
class ActionData:
    unit: Unit
    action: str
    due_on: dt.date


@transaction.atomic
def record_inspection(
    *,
    jurisdiction: Jurisdiction,
    held_on: dt.date,
    units: list[Unit],
    inspectors: str,
    scope: str,
    findings: str,
    actions: list[ActionData],
    by: User,
) -> Inspection:
    """督促检查: a supervisor records an inspection, its findings and the actions each unit must take."""
    if jurisdiction.pk not in jurisdictions_where(by, Role.SUPERVISOR):
        raise NotYourStep(_("Only a supervisor of this jurisdiction records inspections."))
    errors: dict[str, str] = {}
    if future := future_date_error(held_on):
        errors["held_on"] = future
    if not units:
        errors["units"] = _("Choose the units inspected.")
    if any(u.jurisdiction_id != jurisdiction.pk for u in [*units, *(a.unit for a in actions)]):
        errors["units"] = _("Choose units of this jurisdiction.")
    for name, value, most in (
        ("inspectors", inspectors, 255),
        ("scope", scope, 200),
        ("findings", findings, TEXT_MAX),
    ):
        if not 2 <= len(value.strip()) <= most:
            errors[name] = _("Fill this in (%(least)s to %(most)s characters).") % {"least": 2, "most": most}
    for a in actions:
        if not 2 <= len(a.action.strip()) <= 255:
            errors["actions"] = _("Each required action needs a description (up to 255 characters).")
        elif a.due_on < held_on:
            errors["actions"] = _("An action cannot be due before the inspection.")
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        jurisdiction=jurisdiction,
        held_on=held_on,
        inspectors=inspectors.strip(),
        scope=scope.strip(),
        findings=findings.strip(),
        recorded_by=by,
    )
    inspection.units.set(units)
    RequiredAction.objects.bulk_create(
        RequiredAction(inspection=inspection, unit=a.unit, action=a.action.strip(), due_on=a.due_on)
        for a in actions
    )
    record(
        actor=by,
        verb=AuditVerb.INSPECTION_RECORDED,
        target=inspection,
        after={"held_on": held_on.isoformat(), "units": [u.pk for u in units], "actions": len(actions)},
    )
    url = reverse("oversight:inspection_detail", args=[inspection.pk])
    for a in actions:
        notify(
            recipients=role_holders(Role.COORDINATOR, unit=a.unit),
            verb="inspection.action",
            title=_("Inspection %(on)s: %(action)s, due %(due)s")
            % {"on": held_on, "action": a.action, "due": a.due_on},
            url=url,
            jurisdiction_code=jurisdiction.code,
        )
    return inspection


@transaction.atomic
def complete_required_action(
    *, action: RequiredAction, done_on: dt.date, note: str, by: User
) -> RequiredAction:
    """The unit's coordinator reports a required action done."""
    action = (
        RequiredAction.objects.select_for_update(of=("self",))
        .select_related("inspection__jurisdiction")
        .get(pk=action.pk)
    )
    if action.unit_id not in coordinator_units(by):
        raise NotYourStep(_("Only a coordinator of the unit reports its action done."))
    if action.done_on is not None:
        raise ValidationError(_("This action is already done."))
    if done_on > timezone.localdate() or done_on < action.inspection.held_on:
        raise ValidationError({"done_on": _("Give a date between the inspection and today.")})
    if len(note.strip()) > 255:
        raise ValidationError({"note": _("At most %(n)s characters, please.") % {"n": 255}})
    action.done_on, action.done_note = done_on, note.strip()
    action.save(update_fields=["done_on", "done_note"])
    jurisdiction = action.inspection.jurisdiction
    record(
        actor=by,
        verb=AuditVerb.INSPECTION_ACTION_DONE,
        target=action,
        after={"done_on": done_on.isoformat(), "note": note.strip()},
    )
    notify(
        recipients=role_holders(Role.SUPERVISOR, jurisdiction=jurisdiction),
        verb=AuditVerb.INSPECTION_ACTION_DONE,
        title=_("Done: %(action)s") % {"action": action.action},
        body=note.strip(),
        url=reverse("oversight:inspection_detail", args=[action.inspection_id]),
        jurisdiction_code=jurisdiction.code,
    )
    return action


def refresh_city_snapshot(*, now: dt.datetime) -> DashboardSnapshot:
    """Count the whole city's dashboard figures once, for every city viewer until the next run. No audit
    entry: it decides nothing, it stores counts that anyone allowed to see them could compute."""
    started = time.perf_counter()
    today = timezone.localdate(now)
    figures = figures_for(city_scope(), today)
    row, _created = DashboardSnapshot.objects.update_or_create(
        key=DashboardSnapshot.CITY,
        defaults={
            "computed_on": today,
            "computed_at": now,
            "seconds": round(time.perf_counter() - started, 3),
            "figures": figures.to_json(),
        },
    )
    return row


# --- 会议座谈 -------------------------------------------------------------------------------------------

FORUM_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class ForumData:
    held_on: dt.date
    place: str
    host: str
    enterprises: str
    attendees: str
    opinions: list[str]


def may_record_forums(user: User, jurisdiction: Jurisdiction) -> bool:
    """The reform office (supervisors of the jurisdiction) holds the forums and keeps their record."""
    return jurisdiction.pk in jurisdictions_where(user, Role.SUPERVISOR)


@transaction.atomic
def record_forum(*, jurisdiction: Jurisdiction, data: ForumData, by: User) -> Forum:
    """Record a forum with enterprises: when and where, who hosted, which enterprises and people came, and
    each opinion heard (one per entry, kept in the order heard). Nothing is saved unless all is valid."""
    if not may_record_forums(by, jurisdiction):
        raise NotYourStep(_("Only the reform office of this jurisdiction records its forums."))
    errors: dict[str, str] = {}
    error = future_date_error(data.held_on)
    if error:
        errors["held_on"] = error
    for name in ("place", "host", "enterprises", "attendees"):
        if not getattr(data, name).strip():
            errors[name] = _("This field is required.")
    opinions = [o.strip() for o in data.opinions if o.strip()]
    if not opinions:
        errors["opinions"] = _("Write down at least one opinion heard.")
    elif any(len(o) > FORUM_TEXT_LIMIT for o in opinions):
        errors["opinions"] = _("One opinion is at most %(n)d characters.") % {"n": FORUM_TEXT_LIMIT}
    if errors:
        raise ValidationError(errors)
    forum = Forum.objects.create(
        jurisdiction=jurisdiction,
        held_on=data.held_on,
        place=data.place.strip()[:200],
        host=data.host.strip()[:100],
        enterprises=data.enterprises.strip(),
        attendees=data.attendees.strip(),
        recorded_by=by,
    )
    ForumOpinion.objects.bulk_create(
        ForumOpinion(forum=forum, text=text, position=n) for n, text in enumerate(opinions, start=1)
    )
    record(
        actor=by,
        verb=AuditVerb.FORUM_RECORDED,
        target=forum,
        after={"held_on": str(forum.held_on), "place": forum.place, "opinions": len(opinions)},
    )
    return forum


@transaction.atomic
def raise_opinion(*, opinion: ForumOpinion, unit: Unit, by: User) -> CoordinationIssue:
    """Put an opinion heard at a forum on the 问题清单, for the unit it concerns, through the same path as a
    unit's own problem. Once only: the opinion then links to its issue."""
    forum = opinion.forum
    if not may_record_forums(by, forum.jurisdiction):
        raise NotYourStep(_("Only the reform office of this jurisdiction records its forums."))
    locked = ForumOpinion.objects.select_for_update().get(pk=opinion.pk)
    if locked.issue_id is not None:
        raise ValidationError(_("This opinion is already on the issue list."))
    title = locked.text.splitlines()[0][:60]
    description = _("Heard at the forum of %(day)s (%(place)s): %(text)s") % {
        "day": forum.held_on,
        "place": forum.place,
        "text": locked.text,
    }
    issue = _put_on_list(
        jurisdiction=forum.jurisdiction, unit=unit, title=title, description=description, by=by
    )
    locked.issue = issue
    locked.save(update_fields=["issue"])
    record(actor=by, verb=AuditVerb.FORUM_OPINION_RAISED, target=locked, after={"issue": issue.pk})
    return issue
