"""Writes for evaluation, call-backs and rectification. Each function is one transaction that checks who
is acting and what is already there, then writes the record, its audit entry and its notifications."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.cases.models import HANDLING_STATES, CaseItem, ServiceRequest
from daiban.cases.permissions import is_representative
from daiban.cases.rating_links import item_id_from_token
from daiban.common.audit import AuditVerb, record, snapshot
from daiban.common.validators import future_date_error
from daiban.common.workflow import NotYourStep
from daiban.notifications.services import notify
from daiban.organizations.models import Role, Unit, User
from daiban.organizations.selectors import jurisdictions_where, role_holders
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.selectors import calendar_for

from .models import (
    BAD_AT_OR_BELOW,
    Callback,
    CallbackRating,
    Evaluation,
    Level,
    Rectification,
    RectificationNote,
)
from .selectors import owner_candidates
from .workflows import RECTIFICATION, supervises

COMMENT_MAX = 500
TEXT_MAX = 2000


def _locked_request(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "applicant", "project", "locality")
        .get(pk=request.pk)
    )


def request_agents(request: ServiceRequest) -> list[User]:
    """The agents who handled the request's items (the ones there are to rate)."""
    ids = request.items.exclude(agent__isnull=True).values("agent_id")
    return list(User.objects.filter(id__in=ids).order_by("full_name", "id"))


RawLevel = int | str | None
"""A level as a form or caller gives it: the number, its text, or nothing; `_level` checks it."""


def _level(value: RawLevel, field: str, errors: dict[str, str]) -> int:
    try:
        level = int(value) if value is not None else 0
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        errors[field] = _("Choose one of the five levels, from very satisfied to very dissatisfied.")
    return level


def _text(
    value: str, field: str, errors: dict[str, str], *, limit: int, required: str = "", least: int = 0
) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[field] = _("At most %(n)s characters, please.") % {"n": limit}
    elif required and len(text) < max(least, 1):
        errors[field] = required
    return text


def _supervisors(request: ServiceRequest) -> list[User]:
    return list(role_holders(Role.SUPERVISOR, jurisdiction=request.jurisdiction))


def _owner_for(request: ServiceRequest, agent: User | None) -> User | None:
    """Who answers for the rectification: a coordinator of the unit the agent worked for (not the agent
    itself), else one of the jurisdiction's supervisors."""
    items = request.items.all() if agent is None else request.items.filter(agent=agent)
    units = set(items.values_list("responsible_unit_id", flat=True))
    if agent is None or request.locality.kind == Unit.Kind.TOWNSHIP:
        units.add(request.locality_id)
    coordinators = role_holders(Role.COORDINATOR, unit_id__in=units)
    if agent is not None:
        coordinators = coordinators.exclude(pk=agent.pk)
    owner = coordinators.order_by("id").first()
    if owner is None:
        owner = role_holders(Role.SUPERVISOR, jurisdiction=request.jurisdiction).order_by("id").first()
    return owner


def due_on_for(jurisdiction_code: str, opened_on: dt.date) -> dt.date | None:
    """The rectification deadline, in working days; None while next year's holidays are not entered
    (the administrators' page warns about that, and a supervisor sees the deadline as unknown)."""
    try:
        return calendar_for(jurisdiction_code).add_working_days(
            opened_on, settings.DAIBAN_RECTIFICATION_WORKING_DAYS
        )
    except (CalendarYearUnknown, LookupError):
        return None


def _open_rectification(
    *,
    request: ServiceRequest,
    source: str,
    problem: str,
    by: User | None,
    agent: User | None = None,
    evaluation: Evaluation | None = None,
    callback: Callback | None = None,
) -> Rectification:
    today = timezone.localdate()
    owner = _owner_for(request, agent)
    rectification = Rectification.objects.create(
        jurisdiction=request.jurisdiction,
        request=request,
        agent=agent,
        source=source,
        evaluation=evaluation,
        callback=callback,
        problem=problem,
        owner=owner,
        opened_on=today,
        due_on=due_on_for(request.jurisdiction.code, today),
        raised_by=by,
    )
    record(
        actor=by,
        verb=AuditVerb.RECTIFICATION_OPENED,
        target=rectification,
        after=snapshot(rectification, ["request", "agent", "source", "owner", "opened_on", "due_on"]),
    )
    url = reverse("feedback:rectification_detail", args=[rectification.pk])
    title = _("Rectification opened for %(project)s (%(ref)s)") % {
        "project": request.project.name,
        "ref": request.reference,
    }
    due = rectification.due_on.isoformat() if rectification.due_on else _("unknown")
    notify(
        recipients=[*_supervisors(request), *([owner] if owner else [])],
        verb=AuditVerb.RECTIFICATION_OPENED,
        title=title,
        body=_("%(source)s; due %(due)s") % {"source": rectification.get_source_display(), "due": due},
        url=url,
        jurisdiction_code=request.jurisdiction.code,
    )
    return rectification


def _is_bad(*levels: int | None) -> bool:
    return any(level is not None and level <= BAD_AT_OR_BELOW for level in levels)


@transaction.atomic
def evaluate(
    *,
    request: ServiceRequest,
    agent: User,
    attitude: RawLevel,
    efficiency: RawLevel,
    integrity: RawLevel,
    comment: str,
    by: User,
) -> Evaluation:
    """事后评价: once per request and agent, after the service is completed, by the applicant."""
    request = _locked_request(request)
    if not is_representative(by, request):
        raise NotYourStep(_("You can only rate your own enterprise's requests."))
    if request.state != ServiceRequest.State.COMPLETED:
        raise ValidationError(_("You can rate the service once every item is delivered."))
    if agent.pk not in {a.pk for a in request_agents(request)}:
        raise ValidationError(_("This person did not handle your request."))
    if Evaluation.objects.filter(request=request, agent=agent).exists():
        raise ValidationError(
            _("You have already rated this agent for this request; an evaluation cannot be changed.")
        )
    return _record_evaluation(
        request=request,
        agent=agent,
        levels=(attitude, efficiency, integrity),
        comment=comment,
        by=by,
    )


class LinkRefused(Exception):
    """A rating link that cannot be used: `gone` for expired or already used (410), else invalid (400)."""

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


def item_for_link(token: str) -> CaseItem:
    """The delivered item a rating link names, if the link is genuine, unexpired and unused."""
    try:
        item_id = item_id_from_token(token)
    except signing.SignatureExpired:
        raise LinkRefused(_("This rating link has expired."), gone=True) from None
    except signing.BadSignature:
        raise LinkRefused(_("This rating link is not valid."), gone=False) from None
    item = (
        CaseItem.objects.select_related("request__project", "request__jurisdiction", "approval_item", "agent")
        .filter(pk=item_id, state=CaseItem.State.DELIVERED, agent__isnull=False)
        .first()
    )
    if item is None:
        raise LinkRefused(_("This rating link is not valid."), gone=False)
    if Evaluation.objects.filter(item=item, channel=Evaluation.Channel.SMS_LINK).exists():
        raise LinkRefused(_("This item has already been rated; a rating link works once."), gone=True)
    return item


@transaction.atomic
def rate_item_by_link(
    *, token: str, attitude: RawLevel, efficiency: RawLevel, integrity: RawLevel, comment: str
) -> Evaluation:
    """一事一评: the rating given through the link texted after the item's delivery; no sign-in, once per
    item (the item's row lock serialises two submissions; the unique constraint backs it)."""
    item = item_for_link(token)
    CaseItem.objects.select_for_update(of=("self",)).filter(pk=item.pk).first()
    item = item_for_link(token)  # checked again under the lock: a concurrent use has committed by now
    assert item.agent is not None  # item_for_link only returns items with an agent
    return _record_evaluation(
        request=_locked_request(item.request),
        agent=item.agent,
        levels=(attitude, efficiency, integrity),
        comment=comment,
        by=None,
        item=item,
    )


def _record_evaluation(
    *,
    request: ServiceRequest,
    agent: User,
    levels: tuple[RawLevel, RawLevel, RawLevel],
    comment: str,
    by: User | None,
    item: CaseItem | None = None,
) -> Evaluation:
    """Both channels' rules in one place: the scale, the comment a bad rating needs, the audit entry, the
    agent's notice of a good rating and the rectification a bad one opens."""
    errors: dict[str, str] = {}
    checked = [
        _level(v, f, errors) for v, f in zip(levels, ("attitude", "efficiency", "integrity"), strict=True)
    ]
    bad = not errors and _is_bad(*checked)
    text = _text(
        comment,
        "comment",
        errors,
        limit=COMMENT_MAX,
        required=_("Tell us what went wrong, so it can be put right.") if bad else "",
        least=5,
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                request=request,
                item=item,
                channel=Evaluation.Channel.PAGE if item is None else Evaluation.Channel.SMS_LINK,
                jurisdiction=request.jurisdiction,
                agent=agent,
                attitude=checked[0],
                efficiency=checked[1],
                integrity=checked[2],
                comment=text,
                is_bad=bad,
                given_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already rated this agent for this request; an evaluation cannot be changed.")
        ) from None

    record(
        actor=by,
        verb=AuditVerb.EVALUATION_GIVEN,
        target=evaluation,
        after=snapshot(
            evaluation,
            ["request", "item", "channel", "agent", "attitude", "efficiency", "integrity", "is_bad"],
        ),
    )
    if not bad:
        # A bad rating's request is withheld from the agent until a supervisor releases it (which tells the
        # agent): a notice naming the project, or sent the minute the applicant rated, would give it away.
        notify(
            recipients=[agent],
            verb=AuditVerb.EVALUATION_GIVEN,
            title=_("%(project)s rated your service") % {"project": request.project.name},
            body=_("Attitude %(a)s, efficiency %(e)s, integrity %(i)s")
            % {
                "a": evaluation.get_attitude_display(),
                "e": evaluation.get_efficiency_display(),
                "i": evaluation.get_integrity_display(),
            },
            url=reverse("feedback:evaluation_list"),
            jurisdiction_code=request.jurisdiction.code,
        )
    else:
        problem = _("Rated attitude %(a)s, efficiency %(e)s, integrity %(i)s: %(comment)s") % {
            "a": evaluation.get_attitude_display(),
            "e": evaluation.get_efficiency_display(),
            "i": evaluation.get_integrity_display(),
            "comment": text,
        }
        _open_rectification(
            request=request,
            source=Rectification.Source.EVALUATION,
            problem=problem,
            by=by,
            agent=agent,
            evaluation=evaluation,
        )
    return evaluation


@transaction.atomic
def release_evaluation(*, evaluation: Evaluation, by: User) -> Evaluation:
    """A supervisor lets the agent read a bad rating's comment, once the rectification no longer needs
    the applicant shielded."""
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("request", "jurisdiction")
        .get(pk=evaluation.pk)
    )
    if evaluation.jurisdiction_id not in jurisdictions_where(by, Role.SUPERVISOR):
        raise NotYourStep(_("Only a supervisor of this jurisdiction releases an evaluation."))
    if not evaluation.hidden_from_agent:
        raise ValidationError(_("This evaluation is already visible to the agent."))
    evaluation.released_by, evaluation.released_at = by, timezone.now()
    evaluation.save(update_fields=["released_by", "released_at"])
    record(
        actor=by,
        verb=AuditVerb.EVALUATION_RELEASED,
        target=evaluation,
        after={"released_at": evaluation.released_at.isoformat()},
    )
    notify(
        recipients=[evaluation.agent],
        verb=AuditVerb.EVALUATION_RELEASED,
        title=_("A supervisor shared an applicant's comment on your service with you"),
        url=reverse("feedback:evaluation_list"),
        jurisdiction_code=evaluation.jurisdiction.code,
    )
    return evaluation


@dataclass(frozen=True)
class CallbackData:
    called_on: dt.date
    reached: bool
    method: str = Callback.Method.PHONE
    contact_person: str = ""
    overall: int | None = None
    asked_for_money: bool | None = None
    remarks: str = ""
    complaint: str = ""


@transaction.atomic
def record_callback(
    *, request: ServiceRequest, data: CallbackData, ratings: Mapping[int, RawLevel], by: User
) -> Callback:
    """回访: the hall manager's call after the service; a bad answer, a bad rating or a complaint opens a
    rectification. `ratings` maps agent ids to the hall manager's own level for each (optional)."""
    request = _locked_request(request)
    if request.jurisdiction_id not in jurisdictions_where(by, Role.HALL_MANAGER):
        raise NotYourStep(_("Only a hall manager of this jurisdiction records call-backs."))
    throughout = request.jurisdiction.callbacks_throughout and request.state in HANDLING_STATES
    if request.state != ServiceRequest.State.COMPLETED and not throughout:
        raise ValidationError(
            _("Call-backs are made once the request is accepted: while it is handled or after it is done.")
            if request.jurisdiction.callbacks_throughout
            else _("Call-backs are made after the service is completed.")
        )
    errors: dict[str, str] = {}
    if data.method not in Callback.Method.values:
        errors["method"] = _("Choose phone or visit.")
    if future := future_date_error(data.called_on):
        errors["called_on"] = future
    elif request.completed_at and data.called_on < timezone.localtime(request.completed_at).date():
        errors["called_on"] = _("A call-back comes after the service was completed.")
    elif throughout and request.decided_at and data.called_on < timezone.localtime(request.decided_at).date():
        errors["called_on"] = _("A call-back comes after the request was accepted.")
    remarks = _text(data.remarks, "remarks", errors, limit=TEXT_MAX)
    complaint = _text(data.complaint, "complaint", errors, limit=TEXT_MAX)
    contact = _text(
        data.contact_person,
        "contact_person",
        errors,
        limit=64,
        required=_("Name the person you spoke to.") if data.reached else "",
    )
    agents = {a.pk: a for a in request_agents(request)}
    levels: dict[int, int] = {}
    for agent_id, value in ratings.items():
        if value in (None, ""):
            continue
        if agent_id not in agents:
            errors["ratings"] = _("Only the request's agents can be rated.")
            continue
        levels[agent_id] = _level(value, "ratings", errors)
    overall = None
    if data.reached:
        overall = _level(data.overall, "overall", errors)
    elif data.overall is not None or levels or complaint or data.asked_for_money is not None:
        errors["reached"] = _(
            "Answers, ratings and complaints can only be recorded when the applicant was reached."
        )
    if not data.reached and len(remarks) < 2:
        errors["remarks"] = _("Note why the applicant was not reached (no answer, wrong number…).")
    if errors:
        raise ValidationError(errors)
    callback = Callback.objects.create(
        request=request,
        jurisdiction=request.jurisdiction,
        method=data.method,
        called_on=data.called_on,
        reached=data.reached,
        contact_person=contact,
        overall=overall,
        asked_for_money=data.asked_for_money,
        remarks=remarks,
        complaint=complaint,
        called_by=by,
    )
    CallbackRating.objects.bulk_create(
        CallbackRating(callback=callback, agent_id=agent_id, level=level)
        for agent_id, level in levels.items()
    )
    record(
        actor=by,
        verb=AuditVerb.CALLBACK_RECORDED,
        target=callback,
        after=snapshot(callback, ["request", "called_on", "reached", "overall", "asked_for_money"])
        | {"ratings": {str(k): v for k, v in levels.items()}, "complaint": bool(complaint)},
    )
    for agent_id, level in levels.items():
        notify(
            recipients=[agents[agent_id]],
            verb="callback.rated",
            title=_("The hall manager rated your service for %(project)s: %(level)s")
            % {"project": request.project.name, "level": Level(level).label},
            url=reverse("feedback:evaluation_list"),
            jurisdiction_code=request.jurisdiction.code,
        )
        if _is_bad(level):
            _open_rectification(
                request=request,
                source=Rectification.Source.CALLBACK,
                agent=agents[agent_id],
                callback=callback,
                by=by,
                problem=_("Hall manager's rating after the call-back: %(level)s. %(remarks)s")
                % {"level": Level(level).label, "remarks": remarks},
            )
    if complaint or _is_bad(overall) or data.asked_for_money:
        parts = [
            p
            for p in (
                _("Overall: %(level)s") % {"level": Level(overall).label} if overall else "",
                _("The applicant says it was asked for fees or favours.") if data.asked_for_money else "",
                complaint,
            )
            if p
        ]
        _open_rectification(
            request=request,
            source=Rectification.Source.COMPLAINT if complaint else Rectification.Source.CALLBACK,
            callback=callback,
            by=by,
            problem=" ".join(parts),
        )
    return callback


@transaction.atomic
def file_complaint(*, request: ServiceRequest, text: str, agent: User | None, by: User) -> Rectification:
    """投诉: the applicant complains about its service at any point, from submission on (a request left
    waiting for acceptance is a reason to complain too)."""
    request = _locked_request(request)
    if not is_representative(by, request):
        raise NotYourStep(_("You can only complain about your own enterprise's requests."))
    if request.state == ServiceRequest.State.WITHDRAWN:
        raise ValidationError(_("The request was withdrawn; contact the window instead."))
    if agent is not None and agent.pk not in {a.pk for a in request_agents(request)}:
        raise ValidationError({"agent": _("This person did not handle your request.")})
    errors: dict[str, str] = {}
    problem = _text(
        text,
        "text",
        errors,
        limit=TEXT_MAX,
        least=10,
        required=_("Describe what happened in a sentence or two (at least 10 characters)."),
    )
    if errors:
        raise ValidationError(errors)
    return _open_rectification(
        request=request, source=Rectification.Source.COMPLAINT, problem=problem, by=by, agent=agent
    )


def _move(rectification: Rectification, action: str, *, by: User, note: str) -> Rectification:
    """Report, send back or close: the note is required except when closing."""
    rectification = RECTIFICATION.lock(rectification)
    RECTIFICATION.check(rectification, action, by=by)
    errors: dict[str, str] = {}
    required = _("Write what was done or what is still missing.") if action != "close" else ""
    text = _text(note, "note", errors, limit=TEXT_MAX, least=4, required=required)
    if errors:
        raise ValidationError(errors)
    changes: dict[str, object] = {}
    if action == "report":
        changes = {"report": text, "reported_at": timezone.now()}
    if action == "close":
        changes = {"closed_by": by, "closed_at": timezone.now()}
    return RECTIFICATION.apply(rectification, action, by=by, changes=changes, note=text)


@transaction.atomic
def report_rectification(*, rectification: Rectification, note: str, by: User) -> Rectification:
    """The owner reports what was done; `note` becomes the rectification's report."""
    return _move(rectification, "report", by=by, note=note)


@transaction.atomic
def send_back_rectification(*, rectification: Rectification, note: str, by: User) -> Rectification:
    return _move(rectification, "send_back", by=by, note=note)


@transaction.atomic
def close_rectification(*, rectification: Rectification, note: str, by: User) -> Rectification:
    return _move(rectification, "close", by=by, note=note)


@transaction.atomic
def reassign_rectification(*, rectification: Rectification, owner: User, by: User) -> Rectification:
    """A supervisor hands the rectification to another coordinator or supervisor of the jurisdiction."""
    rectification = RECTIFICATION.lock(rectification)
    if not supervises(by, rectification):
        raise NotYourStep(_("Only a supervisor of this jurisdiction changes the owner."))
    if rectification.status == Rectification.Status.CLOSED:
        raise ValidationError(_("This rectification is closed."))
    if not owner_candidates(rectification).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": _("Choose a coordinator or supervisor of this jurisdiction (not the agent concerned).")}
        )
    previous = rectification.owner_id
    rectification.owner = owner
    rectification.save(update_fields=["owner"])
    RectificationNote.objects.create(
        rectification=rectification, verb=AuditVerb.RECTIFICATION_REASSIGNED, text=owner.display_name, by=by
    )
    record(
        actor=by,
        verb=AuditVerb.RECTIFICATION_REASSIGNED,
        target=rectification,
        before={"owner": previous},
        after={"owner": owner.pk},
    )
    notify(
        recipients=[owner],
        verb=AuditVerb.RECTIFICATION_REASSIGNED,
        title=_("You now own a rectification for %(project)s")
        % {"project": rectification.request.project.name},
        url=reverse("feedback:rectification_detail", args=[rectification.pk]),
        jurisdiction_code=rectification.jurisdiction.code,
    )
    return rectification
