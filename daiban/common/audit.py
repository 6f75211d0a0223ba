"""The audit trail. Every service function calls `record` inside its transaction, so an entry exists
exactly when the write it describes was committed."""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Literal, NewType

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from .models import AuditEntry

JSONValue = Any


class AuditVerb(StrEnum):
    """Every audited write the services make, named once: `<noun>.<past participle>`. The history tables
    (timeline, issue and rectification notes) use the same verbs for the same steps."""

    APPLICANT_REGISTERED = "applicant.registered"
    APPLICANT_REPRESENTATIVE_ADDED = "applicant.representative_added"
    APPLICANT_UPDATED = "applicant.updated"
    CALENDAR_YEAR_SEEDED = "calendar.year_seeded"
    CALLBACK_RECORDED = "callback.recorded"
    CATALOGUE_LOADED = "catalogue.loaded"
    CHECKLIST_UPDATED = "checklist.updated"
    CONSULTATION_ANSWERED = "consultation.answered"
    CONSULTATION_ASKED = "consultation.asked"
    EVALUATION_GIVEN = "evaluation.given"
    EVALUATION_RELEASED = "evaluation.released"
    FAQ_PUBLISHED = "faq.published"
    INSPECTION_ACTION_DONE = "inspection.action_done"
    INSPECTION_RECORDED = "inspection.recorded"
    ISSUE_ASSIGNED = "issue.assigned"
    ISSUE_FOLLOWED_UP = "issue.followed_up"
    ISSUE_RAISED = "issue.raised"
    ISSUE_REOPENED = "issue.reopened"
    ISSUE_RESOLVED = "issue.resolved"
    ITEM_APPROVED = "item.approved"
    ITEM_ASSIGNED = "item.assigned"
    ITEM_CHASED = "item.chased"
    ITEM_CLOCK_RESUMED = "item.clock_resumed"
    ITEM_CLOCK_STOPPED = "item.clock_stopped"
    ITEM_COLLECTION_STARTED = "item.collection_started"
    ITEM_CORRECTION_REQUESTED = "item.correction_requested"
    ITEM_DELIVERED = "item.delivered"
    ITEM_FILED = "item.filed"
    ITEM_MATERIALS_COMPLETED = "item.materials_completed"
    ITEM_PICKED_UP = "item.picked_up"
    ITEM_REASSIGNED = "item.reassigned"
    ITEM_REFUSED = "item.refused"
    ITEM_RESUBMITTED = "item.resubmitted"
    ITEM_REVIEW_STARTED = "item.review_started"
    JURISDICTION_CREATED = "jurisdiction.created"
    LEDGER_SUBMITTED = "ledger.submitted"
    MEETING_FOLLOW_UP_DONE = "meeting.follow_up_done"
    MEETING_RECORDED = "meeting.recorded"
    ORGANISATIONS_LOADED = "organisations.loaded"
    PERSON_CREATED = "person.created"
    PLAN_ADJUSTMENT_CLEARED = "plan.adjustment_cleared"
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
    REQUEST_COMPLETED = "request.completed"
    REQUEST_DECLINED = "request.declined"
    REQUEST_DISPATCHED = "request.dispatched"
    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_WITHDRAWN = "request.withdrawn"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    USER_LOCKED_OUT = "user.locked_out"
    USER_LOGGED_IN = "user.logged_in"
    USER_LOGGED_OUT = "user.logged_out"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_OTP_ENROLLED = "user.otp_enrolled"
    USER_OTP_FAILED = "user.otp_failed"
    USER_OTP_VERIFIED = "user.otp_verified"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 (a verb, not a password)
    USER_PASSWORD_RESET = "user.password_reset"  # noqa: S105 (a verb, not a password)
    USER_RESET_CODE_SENT = "user.reset_code_sent"
    USER_SESSION_EXPIRED = "user.session_expired"
    USER_SESSIONS_ENDED = "user.sessions_ended"
    USER_UNLOCKED = "user.unlocked"
    VISIT_RECORDED = "visit.recorded"
    WORKING_GROUP_MEMBER_CHANGED = "working_group.member_changed"


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


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    verb: AuditVerb | AdminVerb,
    target: models.Model,
    before: dict[str, JSONValue] | None = None,
    after: dict[str, JSONValue] | None = None,
) -> AuditEntry:
    """Write one audit entry. `verb` is an `AuditVerb` (or an admin edit's `AdminVerb`).

    An anonymous or missing actor is stored as none (a system write). The jurisdiction is derived from the
    target (`jurisdiction_code_of`), never passed by hand."""
    actor_obj: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        jurisdiction_code=jurisdiction_code_of(target),
        before=before,
        after=after,
    )


def changed(before: dict[str, JSONValue], after: dict[str, JSONValue]) -> dict[str, JSONValue]:
    """The part of `before` whose values differ in `after` (for compact update entries)."""
    return {k: v for k, v in before.items() if after.get(k) != v}
