"""Writes for 帮办: consultations and their FAQ, coordination meetings and their follow-ups. One
transaction each, with the audit entry and the notifications written alongside."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.cases.models import HANDLING_STATES, ServiceRequest
from daiban.catalogue.models import ApprovalItem, FaqEntry
from daiban.common.audit import AuditVerb, record, snapshot
from daiban.common.validators import future_date_error, normalize_mobile, validate_mobile
from daiban.common.workflow import NotYourStep
from daiban.notifications.services import notify
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Jurisdiction, Role, Unit, User
from daiban.organizations.selectors import jurisdictions_where, role_holders
from daiban.projects.models import Applicant

from .models import Consultation, CoordinationMeeting, FollowUp

QUESTION_MAX = 2000
ANSWER_MAX = 4000
# Who takes a question by phone or at the window.
RECORDING_ROLES = (Role.AGENT, Role.CLERK, Role.HALL_MANAGER)


@dataclass(frozen=True)
class Question:
    topic: str
    question: str
    approval_items: Sequence[ApprovalItem] = ()


def _check_question(q: Question, jurisdiction: Jurisdiction, errors: dict[str, str]) -> str:
    if q.topic not in Consultation.Topic.values:
        errors["topic"] = _("Choose a topic.")
    text = (q.question or "").strip()
    if len(text) < 10:
        errors["question"] = _("Ask your question in a sentence or two (at least 10 characters).")
    elif len(text) > QUESTION_MAX:
        errors["question"] = _("At most %(n)s characters, please.") % {"n": QUESTION_MAX}
    if any(i.jurisdiction_id != jurisdiction.pk for i in q.approval_items):
        errors["approval_items"] = _("Choose items of this jurisdiction's catalogue.")
    return text


def _tell_agents_on_duty(consultation: Consultation) -> None:
    """The agents of the service centre's 帮代办 zone answer questions not tied to a case."""
    agents = role_holders(
        Role.AGENT, jurisdiction=consultation.jurisdiction, unit__kind=Unit.Kind.SERVICE_CENTRE
    )
    notify(
        recipients=agents,
        verb=AuditVerb.CONSULTATION_ASKED,
        title=_("New question: %(topic)s") % {"topic": consultation.get_topic_display()},
        body=consultation.question[:200],
        url=reverse("assistance:consultation_detail", args=[consultation.pk]),
        jurisdiction_code=consultation.jurisdiction.code,
    )


def _create(jurisdiction: Jurisdiction, q: Question, text: str, by: User, **fields: object) -> Consultation:
    consultation = Consultation.objects.create(
        jurisdiction=jurisdiction, topic=q.topic, question=text, recorded_by=by, **fields
    )
    consultation.approval_items.set(q.approval_items)
    record(
        actor=by,
        verb=AuditVerb.CONSULTATION_ASKED,
        target=consultation,
        after=snapshot(consultation, ["applicant", "channel", "topic"])
        | {"items": [i.code for i in q.approval_items]},
    )
    _tell_agents_on_duty(consultation)
    return consultation


@transaction.atomic
def ask_question(*, applicant: Applicant, data: Question, by: User) -> Consultation:
    """An applicant asks online."""
    if not applicant.representatives.filter(user_id=by.pk).exists():
        raise NotYourStep(_("You can only ask on behalf of your own enterprise."))
    errors: dict[str, str] = {}
    text = _check_question(data, applicant.jurisdiction, errors)
    if errors:
        raise ValidationError(errors)
    return _create(
        applicant.jurisdiction,
        data,
        text,
        by,
        applicant=applicant,
        channel=Consultation.Channel.ONLINE,
        asker_name=by.display_name,
        asker_mobile=by.mobile,
    )


@transaction.atomic
def record_question(
    *,
    jurisdiction: Jurisdiction,
    channel: str,
    asker_name: str,
    asker_mobile: str,
    applicant: Applicant | None,
    data: Question,
    by: User,
) -> Consultation:
    """Staff write down a question asked by phone or at the window."""
    if jurisdiction.pk not in jurisdictions_where(by, *RECORDING_ROLES):
        raise NotYourStep(_("You do not take questions for this jurisdiction."))
    errors: dict[str, str] = {}
    if channel not in (Consultation.Channel.PHONE, Consultation.Channel.WINDOW):
        errors["channel"] = _("Choose phone or window.")
    name = (asker_name or "").strip()
    if not 2 <= len(name) <= 64:
        errors["asker_name"] = _("Give the name of the person asking.")
    mobile = normalize_mobile(asker_mobile or "")
    if mobile:
        try:
            validate_mobile(mobile)
        except ValidationError as exc:
            errors["asker_mobile"] = " ".join(exc.messages)
    if applicant is not None and applicant.jurisdiction_id != jurisdiction.pk:
        errors["applicant"] = _("The enterprise is registered in another jurisdiction.")
    text = _check_question(data, jurisdiction, errors)
    if errors:
        raise ValidationError(errors)
    return _create(
        jurisdiction,
        data,
        text,
        by,
        applicant=applicant,
        channel=channel,
        asker_name=name,
        asker_mobile=mobile,
    )


def may_answer(user: Viewer, consultation: Consultation) -> bool:
    return consultation.jurisdiction_id in jurisdictions_where(user, Role.AGENT)


@transaction.atomic
def answer_consultation(*, consultation: Consultation, answer: str, by: User) -> Consultation:
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "applicant")
        .get(pk=consultation.pk)
    )
    if not may_answer(by, consultation):
        raise NotYourStep(_("Only an agent of this jurisdiction answers its questions."))
    if consultation.answered_at is not None:
        raise ValidationError(_("This question has already been answered."))
    text = (answer or "").strip()
    if len(text) < 5:
        raise ValidationError({"answer": _("Write the answer (at least 5 characters).")})
    if len(text) > ANSWER_MAX:
        raise ValidationError({"answer": _("At most %(n)s characters, please.") % {"n": ANSWER_MAX}})
    consultation.answer, consultation.answered_by, consultation.answered_at = text, by, timezone.now()
    consultation.save(update_fields=["answer", "answered_by", "answered_at"])
    record(
        actor=by,
        verb=AuditVerb.CONSULTATION_ANSWERED,
        target=consultation,
        after={"answered_at": consultation.answered_at.isoformat()},
    )
    askers = [consultation.recorded_by]
    if consultation.applicant is not None:
        askers += [link.user for link in consultation.applicant.representatives.select_related("user")]
    askers = [u for u in askers if u.pk != by.pk]
    notify(
        recipients=askers,
        verb=AuditVerb.CONSULTATION_ANSWERED,
        title=_("Your question was answered: %(q)s") % {"q": consultation.question[:40]},
        url=reverse("assistance:consultation_detail", args=[consultation.pk]),
        jurisdiction_code=consultation.jurisdiction.code,
    )
    return consultation


def may_publish(user: Viewer, consultation: Consultation) -> bool:
    return consultation.jurisdiction_id in (
        jurisdictions_where(user, Role.AGENT) | jurisdictions_where(user, Role.SUPERVISOR)
    )


@transaction.atomic
def publish_faq(*, consultation: Consultation, question: str, answer: str, by: User) -> FaqEntry:
    """Promote an answered question to the public FAQ, reworded so no enterprise can be recognised."""
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .get(pk=consultation.pk)
    )
    if not may_publish(by, consultation):
        raise NotYourStep(_("Only an agent or supervisor of this jurisdiction publishes FAQ entries."))
    if consultation.answered_at is None:
        raise ValidationError(_("Answer the question before publishing it."))
    if consultation.faq_entry_id is not None:
        raise ValidationError(_("This question is already in the FAQ."))
    errors = {}
    q, a = (question or "").strip(), (answer or "").strip()
    if not 10 <= len(q) <= QUESTION_MAX:
        errors["question"] = _("The question must be 10 to %(n)s characters.") % {"n": QUESTION_MAX}
    if not 5 <= len(a) <= ANSWER_MAX:
        errors["answer"] = _("The answer must be 5 to %(n)s characters.") % {"n": ANSWER_MAX}
    if errors:
        raise ValidationError(errors)
    entry = FaqEntry.objects.create(
        jurisdiction=consultation.jurisdiction, question=q, answer=a, published_by=by
    )
    entry.approval_items.set(consultation.approval_items.all())
    consultation.faq_entry = entry
    consultation.save(update_fields=["faq_entry"])
    record(
        actor=by,
        verb=AuditVerb.FAQ_PUBLISHED,
        target=entry,
        after={"consultation": consultation.pk, "question": q},
    )
    return entry


@dataclass(frozen=True)
class FollowUpData:
    task: str
    owner_unit: Unit
    due_on: dt.date


@dataclass(frozen=True)
class MeetingData:
    held_on: dt.date
    place: str
    departments: Sequence[Unit]
    participants: str
    topics: str
    decisions: str
    follow_ups: Sequence[FollowUpData] = field(default_factory=tuple)


def is_request_agent(user: Viewer, request: ServiceRequest) -> bool:
    return request.items.filter(agent_id=user.pk).exists()


@transaction.atomic
def record_meeting(*, request: ServiceRequest, data: MeetingData, by: User) -> CoordinationMeeting:
    """协调办理: an agent of the request writes down a coordination meeting and what it decided."""
    request = ServiceRequest.objects.select_related("jurisdiction", "project", "applicant").get(pk=request.pk)
    if not is_request_agent(by, request):
        raise NotYourStep(_("Only an agent of this request records its meetings."))
    if request.state not in HANDLING_STATES:
        raise ValidationError(_("The request is not being handled."))
    errors: dict[str, str] = {}
    if future := future_date_error(data.held_on):
        errors["held_on"] = future
    elif data.held_on < timezone.localtime(request.submitted_at).date():
        errors["held_on"] = _("The meeting cannot come before the request.")
    for name, value, least, most in (
        ("place", data.place, 2, 200),
        ("participants", data.participants, 2, 2000),
        ("topics", data.topics, 2, 2000),
        ("decisions", data.decisions, 4, 4000),
    ):
        if not least <= len((value or "").strip()) <= most:
            errors[name] = _("Fill this in (%(least)s to %(most)s characters).") % {
                "least": least,
                "most": most,
            }
    if not data.departments:
        errors["departments"] = _("Choose the units that attended.")
    units = [*data.departments, *(f.owner_unit for f in data.follow_ups)]
    if any(u.jurisdiction_id != request.jurisdiction_id for u in units):
        errors["departments"] = _("Choose units of this jurisdiction.")
    for f in data.follow_ups:
        if not 2 <= len(f.task.strip()) <= 255:
            errors["follow_ups"] = _("Each follow-up needs a task (up to 255 characters).")
        elif f.due_on < data.held_on:
            errors["follow_ups"] = _("A follow-up cannot be due before the meeting.")
    if errors:
        raise ValidationError(errors)
    meeting = CoordinationMeeting.objects.create(
        request=request,
        held_on=data.held_on,
        place=data.place.strip(),
        participants=data.participants.strip(),
        topics=data.topics.strip(),
        decisions=data.decisions.strip(),
        convened_by=by,
    )
    meeting.departments.set(data.departments)
    FollowUp.objects.bulk_create(
        FollowUp(meeting=meeting, task=f.task.strip(), owner_unit=f.owner_unit, due_on=f.due_on)
        for f in data.follow_ups
    )
    record(
        actor=by,
        verb=AuditVerb.MEETING_RECORDED,
        target=meeting,
        after=snapshot(meeting, ["request", "held_on", "place"]) | {"follow_ups": len(data.follow_ups)},
    )
    url = reverse("assistance:meeting_list", args=[request.pk])
    title = _("Coordination meeting on %(project)s, %(on)s") % {
        "project": request.project.name,
        "on": data.held_on,
    }
    representatives = [link.user for link in request.applicant.representatives.select_related("user")]
    notify(
        recipients=representatives,
        verb=AuditVerb.MEETING_RECORDED,
        title=title,
        body=data.decisions.strip()[:200],
        url=url,
        jurisdiction_code=request.jurisdiction.code,
    )
    owners = role_holders(Role.COORDINATOR, unit_id__in={f.owner_unit.pk for f in data.follow_ups})
    notify(
        recipients=owners,
        verb="meeting.follow_up",
        title=_("Follow-up for your unit: %(title)s") % {"title": title},
        url=url,
        jurisdiction_code=request.jurisdiction.code,
    )
    return meeting


@transaction.atomic
def complete_follow_up(*, follow_up: FollowUp, done_on: dt.date, note: str, by: User) -> FollowUp:
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("meeting__request__jurisdiction")
        .get(pk=follow_up.pk)
    )
    request = follow_up.meeting.request
    owns = role_holders(Role.COORDINATOR, unit_id=follow_up.owner_unit_id).filter(pk=by.pk).exists()
    if not (owns or is_request_agent(by, request)):
        raise NotYourStep(_("Only the request's agent or the owning unit's coordinator closes a follow-up."))
    if follow_up.done_on is not None:
        raise ValidationError(_("This follow-up is already done."))
    if done_on > timezone.localdate() or done_on < follow_up.meeting.held_on:
        raise ValidationError({"done_on": _("Give a date between the meeting and today.")})
    if len(note.strip()) > 255:
        raise ValidationError({"note": _("At most %(n)s characters, please.") % {"n": 255}})
    follow_up.done_on, follow_up.done_note = done_on, note.strip()
    follow_up.save(update_fields=["done_on", "done_note"])
    record(
        actor=by,
        verb=AuditVerb.MEETING_FOLLOW_UP_DONE,
        target=follow_up,
        after={"done_on": done_on.isoformat(), "note": note.strip()},
    )
    return follow_up
