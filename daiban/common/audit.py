"""The audit trail. Every service function calls `record` inside its transaction, so an entry exists
exactly when the write it describes was committed."""

import contextvars
import datetime
import decimal
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, Literal, NewType

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from .models import AuditEntry

JSONValue = Any


class AuditVerb(StrEnum):
    """Every audited write the services make, named once: `<noun>.<past participle>`. The history tables
    (timeline, issue and rectification notes) use the same verbs for the same steps."""

    ACCESS_REFUSED = "access.refused"
    API_CALLED = "api.called"
    API_CALL_REFUSED = "api.call_refused"
    API_KEY_ISSUED = "api_key.issued"
    API_KEY_REVOKED = "api_key.revoked"
    APPLICANT_REGISTERED = "applicant.registered"
    APPLICANT_REPRESENTATIVE_ADDED = "applicant.representative_added"
    APPLICANT_UPDATED = "applicant.updated"
    CALENDAR_YEAR_SEEDED = "calendar.year_seeded"
    CALLBACK_RECORDED = "callback.recorded"
    CATALOGUE_LOADED = "catalogue.loaded"
    CATALOGUE_DRAFTED = "catalogue.drafted"
    CATALOGUE_PUBLISHED = "catalogue.published"
    JURISDICTION_ONBOARDED = "jurisdiction.onboarded"
    CHECKLIST_UPDATED = "checklist.updated"
    CONSULTATION_ANSWERED = "consultation.answered"
    CONSULTATION_ASKED = "consultation.asked"
    DATA_EXPORTED = "data.exported"
    DOCUMENT_DOWNLOADED = "document.downloaded"
    EVALUATION_GIVEN = "evaluation.given"
    EVALUATION_RELEASED = "evaluation.released"
    FAQ_PUBLISHED = "faq.published"
    INSPECTION_ACTION_DONE = "inspection.action_done"
    INSPECTION_RECORDED = "inspection.recorded"
    ISSUE_ASSIGNED = "issue.assigned"
    ISSUE_FOLLOWED_UP = "issue.followed_up"
    ISSUE_RAISED = "issue.raised"
    FORUM_RECORDED = "forum.recorded"
    FORUM_OPINION_RAISED = "forum.opinion_raised"
    ISSUE_REOPENED = "issue.reopened"
    ISSUE_RESOLVED = "issue.resolved"
    ITEM_APPROVED = "item.approved"
    ITEM_ACCEPTED = "item.accepted"
    ITEM_ASSIGNED = "item.assigned"
    ITEM_DECLINED = "item.declined"
    ITEM_CHASED = "item.chased"
    ITEM_CLOCK_RESUMED = "item.clock_resumed"
    ITEM_CLOCK_STOPPED = "item.clock_stopped"
    ITEM_COLLECTION_STARTED = "item.collection_started"
    ITEM_CORRECTION_REQUESTED = "item.correction_requested"
    ITEM_DELIVERED = "item.delivered"
    ITEM_FOUND_UNSTAFFED = "item.found_unstaffed"
    ITEM_EVENT_CONFLICTED = "item.event_conflicted"
    ITEM_FILED = "item.filed"
    ITEM_MATERIALS_COMPLETED = "item.materials_completed"
    ITEM_DEADLINE_PASSED = "item.deadline_passed"
    ITEM_PICKED_UP = "item.picked_up"
    ITEM_REASSIGNED = "item.reassigned"
    ITEM_REFUSED = "item.refused"
    ITEM_REFUSAL_NOTICE_DELIVERED = "item.refusal_notice_delivered"
    ITEM_RESUBMITTED = "item.resubmitted"
    ITEM_REVIEW_STARTED = "item.review_started"
    JURISDICTION_CREATED = "jurisdiction.created"
    LEDGER_SUBMITTED = "ledger.submitted"
    MEETING_FOLLOW_UP_DONE = "meeting.follow_up_done"
    MEETING_RECORDED = "meeting.recorded"
    ORGANISATIONS_LOADED = "organisations.loaded"
    PERSONAL_DATA_VIEWED = "personal_data.viewed"
    PERSON_CREATED = "person.created"
    PLAN_ADJUSTMENT_CLEARED = "plan.adjustment_cleared"
    PLAN_CONSTRUCTION_PERIOD_CHANGED = "plan.construction_period_changed"
    PLAN_ITEM_ADJUSTED = "plan.item_adjusted"
    PLAN_MILESTONE_ADDED = "plan.milestone_added"
    PLAN_MILESTONE_REMOVED = "plan.milestone_removed"
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    RECTIFICATION_CLOSED = "rectification.closed"
    RECTIFICATION_OPENED = "rectification.opened"
    RECTIFICATION_REASSIGNED = "rectification.reassigned"
    RECTIFICATION_REPORTED = "rectification.reported"
    RECTIFICATION_SENT_BACK = "rectification.sent_back"
    REQUEST_ACCEPTED = "request.accepted"
    ROUTING_POLICY_CHANGED = "routing_policy.changed"
    REQUEST_COMPLETED = "request.completed"
    REQUEST_COMPLETION_DEFERRED = "request.completion_deferred"
    REQUEST_DECLINED = "request.declined"
    REQUEST_DISPATCHED = "request.dispatched"
    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_WITHDRAWN = "request.withdrawn"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    USER_ACTIVATED = "user.activated"
    USER_ACTIVATION_CODE_SENT = "user.activation_code_sent"
    USER_LOCKED_OUT = "user.locked_out"
    USER_LOGGED_IN = "user.logged_in"
    USER_LOGGED_OUT = "user.logged_out"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_OTP_ENROLLED = "user.otp_enrolled"
    USER_OTP_FAILED = "user.otp_failed"
    USER_OTP_VERIFIED = "user.otp_verified"
    SERVICE_LEVELS_CHANGED = "service_levels.changed"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 (a verb, not a password)
    USER_PASSWORD_RESET = "user.password_reset"  # noqa: S105 (a verb, not a password)
    USER_RESET_CODE_SENT = "user.reset_code_sent"
    USER_SESSION_EXPIRED = "user.session_expired"
    USER_SESSIONS_ENDED = "user.sessions_ended"
    USER_UNLOCKED = "user.unlocked"
    VISIT_RECORDED = "visit.recorded"
    WEBHOOK_REPLAYED = "webhook.replayed"
    WORKING_GROUP_MEMBER_CHANGED = "working_group.member_changed"


VERB_LABELS: dict[str, StrOrPromise] = {
    AuditVerb.ACCESS_REFUSED: gettext_lazy("Access refused"),
    AuditVerb.API_CALLED: gettext_lazy("API called"),
    AuditVerb.API_CALL_REFUSED: gettext_lazy("API call refused"),
    AuditVerb.API_KEY_ISSUED: gettext_lazy("API key issued"),
    AuditVerb.API_KEY_REVOKED: gettext_lazy("API key revoked"),
    AuditVerb.ITEM_EVENT_CONFLICTED: gettext_lazy("Approval-system event not applied (conflict)"),
    AuditVerb.APPLICANT_REGISTERED: gettext_lazy("Enterprise registered"),
    AuditVerb.APPLICANT_REPRESENTATIVE_ADDED: gettext_lazy("Enterprise representative added"),
    AuditVerb.APPLICANT_UPDATED: gettext_lazy("Enterprise updated"),
    AuditVerb.CALENDAR_YEAR_SEEDED: gettext_lazy("Calendar year filled in"),
    AuditVerb.CALLBACK_RECORDED: gettext_lazy("Call-back recorded"),
    AuditVerb.CATALOGUE_LOADED: gettext_lazy("Catalogue loaded"),
    AuditVerb.CATALOGUE_DRAFTED: gettext_lazy("Catalogue draft started"),
    AuditVerb.CATALOGUE_PUBLISHED: gettext_lazy("Catalogue version published"),
    AuditVerb.JURISDICTION_ONBOARDED: gettext_lazy("Jurisdiction onboarded from a file"),
    AuditVerb.CHECKLIST_UPDATED: gettext_lazy("Checklist updated"),
    AuditVerb.CONSULTATION_ANSWERED: gettext_lazy("Consultation answered"),
    AuditVerb.CONSULTATION_ASKED: gettext_lazy("Consultation asked"),
    AuditVerb.DATA_EXPORTED: gettext_lazy("Data exported"),
    AuditVerb.DOCUMENT_DOWNLOADED: gettext_lazy("Document downloaded"),
    AuditVerb.EVALUATION_GIVEN: gettext_lazy("Rating given"),
    AuditVerb.EVALUATION_RELEASED: gettext_lazy("Rating released"),
    AuditVerb.FAQ_PUBLISHED: gettext_lazy("FAQ published"),
    AuditVerb.INSPECTION_ACTION_DONE: gettext_lazy("Inspection action done"),
    AuditVerb.INSPECTION_RECORDED: gettext_lazy("Inspection recorded"),
    AuditVerb.ISSUE_ASSIGNED: gettext_lazy("Issue assigned"),
    AuditVerb.ISSUE_FOLLOWED_UP: gettext_lazy("Issue followed up"),
    AuditVerb.ISSUE_RAISED: gettext_lazy("Issue raised"),
    AuditVerb.FORUM_RECORDED: gettext_lazy("Forum with enterprises recorded"),
    AuditVerb.FORUM_OPINION_RAISED: gettext_lazy("Opinion raised onto the issue list"),
    AuditVerb.ISSUE_REOPENED: gettext_lazy("Issue reopened"),
    AuditVerb.ISSUE_RESOLVED: gettext_lazy("Issue resolved"),
    AuditVerb.ITEM_APPROVED: gettext_lazy("Item approved"),
    AuditVerb.ITEM_ACCEPTED: gettext_lazy("Item accepted by its responsible unit"),
    AuditVerb.ITEM_ASSIGNED: gettext_lazy("Item assigned"),
    AuditVerb.ITEM_DECLINED: gettext_lazy("Item declined by its responsible unit"),
    AuditVerb.ITEM_CHASED: gettext_lazy("Item chased"),
    AuditVerb.ITEM_CLOCK_RESUMED: gettext_lazy("Clock resumed"),
    AuditVerb.ITEM_CLOCK_STOPPED: gettext_lazy("Clock stopped"),
    AuditVerb.ITEM_COLLECTION_STARTED: gettext_lazy("Material collection started"),
    AuditVerb.ITEM_CORRECTION_REQUESTED: gettext_lazy("Correction requested"),
    AuditVerb.ITEM_DELIVERED: gettext_lazy("Result delivered"),
    AuditVerb.ITEM_FOUND_UNSTAFFED: gettext_lazy("Nobody can handle the item"),
    AuditVerb.ITEM_FILED: gettext_lazy("Item filed"),
    AuditVerb.ITEM_MATERIALS_COMPLETED: gettext_lazy("Materials complete"),
    AuditVerb.ITEM_DEADLINE_PASSED: gettext_lazy("Deadline passed"),
    AuditVerb.ITEM_PICKED_UP: gettext_lazy("Result picked up"),
    AuditVerb.ITEM_REASSIGNED: gettext_lazy("Item reassigned"),
    AuditVerb.ITEM_REFUSED: gettext_lazy("Item refused"),
    AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED: gettext_lazy("Refusal decision delivered"),
    AuditVerb.ITEM_RESUBMITTED: gettext_lazy("Item resubmitted"),
    AuditVerb.ITEM_REVIEW_STARTED: gettext_lazy("Review started"),
    AuditVerb.JURISDICTION_CREATED: gettext_lazy("Jurisdiction created"),
    AuditVerb.LEDGER_SUBMITTED: gettext_lazy("Ledger submitted"),
    AuditVerb.MEETING_FOLLOW_UP_DONE: gettext_lazy("Meeting follow-up done"),
    AuditVerb.MEETING_RECORDED: gettext_lazy("Meeting recorded"),
    AuditVerb.ORGANISATIONS_LOADED: gettext_lazy("Organisations loaded"),
    AuditVerb.PERSONAL_DATA_VIEWED: gettext_lazy("Personal data viewed"),
    AuditVerb.PERSON_CREATED: gettext_lazy("Person created"),
    AuditVerb.PLAN_ADJUSTMENT_CLEARED: gettext_lazy("Plan adjustment cleared"),
    AuditVerb.PLAN_CONSTRUCTION_PERIOD_CHANGED: gettext_lazy("Construction period changed"),
    AuditVerb.PLAN_ITEM_ADJUSTED: gettext_lazy("Plan item adjusted"),
    AuditVerb.PLAN_MILESTONE_ADDED: gettext_lazy("Milestone added"),
    AuditVerb.PLAN_MILESTONE_REMOVED: gettext_lazy("Milestone removed"),
    AuditVerb.PROJECT_CREATED: gettext_lazy("Project created"),
    AuditVerb.PROJECT_UPDATED: gettext_lazy("Project updated"),
    AuditVerb.RECTIFICATION_CLOSED: gettext_lazy("Rectification closed"),
    AuditVerb.SERVICE_LEVELS_CHANGED: gettext_lazy("Service levels changed"),
    AuditVerb.RECTIFICATION_OPENED: gettext_lazy("Rectification opened"),
    AuditVerb.RECTIFICATION_REASSIGNED: gettext_lazy("Rectification reassigned"),
    AuditVerb.RECTIFICATION_REPORTED: gettext_lazy("Rectification reported"),
    AuditVerb.RECTIFICATION_SENT_BACK: gettext_lazy("Rectification sent back"),
    AuditVerb.REQUEST_ACCEPTED: gettext_lazy("Request accepted"),
    AuditVerb.REQUEST_COMPLETED: gettext_lazy("Request completed"),
    AuditVerb.REQUEST_COMPLETION_DEFERRED: gettext_lazy("Completion waits for promised materials"),
    AuditVerb.REQUEST_DECLINED: gettext_lazy("Request declined"),
    AuditVerb.REQUEST_DISPATCHED: gettext_lazy("Request dispatched"),
    AuditVerb.REQUEST_SUBMITTED: gettext_lazy("Request submitted"),
    AuditVerb.REQUEST_WITHDRAWN: gettext_lazy("Request withdrawn"),
    AuditVerb.ROLE_GRANTED: gettext_lazy("Role granted"),
    AuditVerb.ROUTING_POLICY_CHANGED: gettext_lazy("Routing policy changed"),
    AuditVerb.ROLE_REVOKED: gettext_lazy("Role revoked"),
    AuditVerb.VISIT_RECORDED: gettext_lazy("Visit recorded"),
    AuditVerb.WEBHOOK_REPLAYED: gettext_lazy("Webhook delivery replayed"),
    AuditVerb.USER_ACTIVATED: gettext_lazy("Online account activated"),
    AuditVerb.USER_ACTIVATION_CODE_SENT: gettext_lazy("Activation code sent"),
    AuditVerb.USER_LOCKED_OUT: gettext_lazy("Account locked out"),
    AuditVerb.USER_LOGGED_IN: gettext_lazy("Signed in"),
    AuditVerb.USER_LOGGED_OUT: gettext_lazy("Signed out"),
    AuditVerb.USER_LOGIN_FAILED: gettext_lazy("Sign-in failed"),
    AuditVerb.USER_OTP_ENROLLED: gettext_lazy("Two-factor device enrolled"),
    AuditVerb.USER_OTP_FAILED: gettext_lazy("Two-factor code refused"),
    AuditVerb.USER_OTP_VERIFIED: gettext_lazy("Two-factor code accepted"),
    AuditVerb.USER_PASSWORD_CHANGED: gettext_lazy("Password changed"),
    AuditVerb.USER_PASSWORD_RESET: gettext_lazy("Password reset"),
    AuditVerb.USER_RESET_CODE_SENT: gettext_lazy("Reset code sent"),
    AuditVerb.USER_SESSION_EXPIRED: gettext_lazy("Session expired"),
    AuditVerb.USER_SESSIONS_ENDED: gettext_lazy("Signed out everywhere"),
    AuditVerb.USER_UNLOCKED: gettext_lazy("Account unlocked"),
    AuditVerb.WORKING_GROUP_MEMBER_CHANGED: gettext_lazy("Working group member changed"),
}
"""What the audit page calls each verb; an admin edit reads "<model> changed in the admin" (`verb_label`)."""


def verb_label(verb: str) -> str:
    if verb in VERB_LABELS:
        return str(VERB_LABELS[verb])
    model, _dot, what = verb.partition(".")
    if what.endswith("_in_admin"):
        return str(ADMIN_EDIT_LABELS.get(what, what)) + f"（{model}）"
    return verb


ADMIN_EDIT_LABELS: dict[str, StrOrPromise] = {
    "added_in_admin": gettext_lazy("Added in the admin"),
    "changed_in_admin": gettext_lazy("Changed in the admin"),
    "deleted_in_admin": gettext_lazy("Deleted in the admin"),
}


AdminVerb = NewType("AdminVerb", str)
"""An edit made in the Django admin: `<model>.<added|changed|deleted>_in_admin` (see `admin_verb`)."""


def admin_verb(obj: models.Model, what: Literal["added", "changed", "deleted"]) -> AdminVerb:
    return AdminVerb(f"{obj._meta.model_name}.{what}_in_admin")


def jsonable(value: Any) -> JSONValue:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, JSONValue]:
    """The concrete field values of `instance` as JSON-ready data (foreign keys by id)."""
    names = (
        list(fields)
        if fields is not None
        else [f.name for f in instance._meta.concrete_fields if f.name not in {"password"}]
    )
    data: dict[str, JSONValue] = {}
    for name in names:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = jsonable(getattr(instance, attname))
    return data


def jurisdiction_code_of(target: models.Model) -> str:
    """The jurisdiction an audited record belongs to. A model names the path to it in `AUDIT_JURISDICTION`
    (dotted attributes ending at a jurisdiction, or at a jurisdiction code; "" for a jurisdiction itself),
    else its `jurisdiction` field. Records of no jurisdiction (the national calendar, platform users) give
    "" — the platform operator's."""
    path: str = getattr(target, "AUDIT_JURISDICTION", "jurisdiction")
    value: Any = target
    for name in filter(None, path.split(".")):
        value = getattr(value, name, None)
        if value is None:
            return ""
    return value if isinstance(value, str) else str(getattr(value, "code", ""))


_from_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_from_address", default=None)


@contextmanager
def from_address(address: str | None) -> Iterator[None]:
    """Every entry recorded inside this block says it came from `address` (the web request's client; the
    middleware sets it per request, so no service has to pass it along)."""
    token = _from_address.set(address)
    try:
        yield
    finally:
        _from_address.reset(token)


def printable(value: Any) -> Any:
    """`value` with NUL characters removed from every string in it: what people typed (a query string, a
    reason) is recorded as given, except the one character PostgreSQL's text and JSON refuse."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    verb: AuditVerb | AdminVerb,
    target: models.Model | None,
    before: dict[str, JSONValue] | None = None,
    after: dict[str, JSONValue] | None = None,
    label: str = "",
) -> AuditEntry:
    """Write one audit entry. `verb` is an `AuditVerb` (or an admin edit's `AdminVerb`).

    An anonymous or missing actor is stored as none (a system write). The jurisdiction is derived from the
    target (`jurisdiction_code_of`), never passed by hand. An event about no record (a refused page, a
    failed sign-in under an unknown name) has no target and says what it was about in `label`; its
    jurisdiction is the actor's. The client
    address comes from the request being served (`from_address`)."""
    actor_obj: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    before, after = printable(before), printable(after)
    label = printable(label or (str(target) if target is not None else ""))
    return AuditEntry.objects.create(
        actor=actor_obj,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=label[:255],
        jurisdiction_code=jurisdiction_code_of(target if target is not None else actor_obj)
        if (target is not None or actor_obj is not None)
        else "",
        before=before,
        after=after,
        from_address=_from_address.get(),
    )


def changed(before: dict[str, JSONValue], after: dict[str, JSONValue]) -> dict[str, JSONValue]:
    """The part of `before` whose values differ in `after` (for compact update entries)."""
    return {k: v for k, v in before.items() if after.get(k) != v}
