"""Writes of the API app: keys (issue, rotate, revoke) and the approval system's item events."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.cases import services as steps
from daiban.cases.models import CaseItem, ClockStop, ServiceRequest
from daiban.cases.workflows import ITEM
from daiban.catalogue.models import ApprovalItem
from daiban.common.audit import AuditVerb, record
from daiban.common.validators import normalize_mobile, normalize_uscc, validate_mobile, validate_uscc
from daiban.common.workflow import TransitionRefused
from daiban.organizations.models import Role, RoleAssignment, User
from daiban.projects.models import Applicant
from daiban.projects.services import ProjectData, create_project
from daiban.projects.validators import normalize_project_code

from . import signing
from .models import ApiClient, ApiKey, IntakeReceipt, ItemEvent

ROTATION_GRACE = dt.timedelta(days=7)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


@transaction.atomic
def issue_key(*, client: ApiClient, by: User | None) -> IssuedKey:
    key_id, salt = signing.new_key_id(), signing.new_salt()
    secret = signing.derive_secret(key_id, salt)
    key = ApiKey.objects.create(
        client=client, key_id=key_id, salt=salt, fingerprint=signing.fingerprint(secret)
    )
    record(actor=by, verb=AuditVerb.API_KEY_ISSUED, target=key, after={"client": client.name})
    return IssuedKey(key, secret)


@transaction.atomic
def rotate_key(*, client: ApiClient, by: User | None, grace: dt.timedelta = ROTATION_GRACE) -> IssuedKey:
    """A new key; the client's current keys stay valid for `grace` so it can switch without downtime."""
    until = timezone.now() + grace
    live = client.keys.filter(revoked_at__isnull=True).filter(expires_at__isnull=True)
    live.update(expires_at=until)
    return issue_key(client=client, by=by)


@transaction.atomic
def revoke_key(*, key: ApiKey, by: User | None) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record(actor=by, verb=AuditVerb.API_KEY_REVOKED, target=key, after={"client": key.client.name})
    return key


# Item events ---------------------------------------------------------------------------------------

# Where an event leaves the item; an event whose target state is already behind the item is stale.
EVENT_TARGET: dict[str, str] = {
    ItemEvent.Kind.FILED: CaseItem.State.FILED,
    ItemEvent.Kind.REVIEW_STARTED: CaseItem.State.UNDER_REVIEW,
    ItemEvent.Kind.CORRECTION_REQUESTED: CaseItem.State.CORRECTION_REQUESTED,
    ItemEvent.Kind.RESUBMITTED: CaseItem.State.RESUBMITTED,
    ItemEvent.Kind.APPROVED: CaseItem.State.APPROVED,
    ItemEvent.Kind.REFUSED: CaseItem.State.REFUSED,
}


@dataclass(frozen=True)
class EventData:
    event_id: str
    kind: str
    occurred_at: dt.datetime
    receipt_number: str = ""
    on: dt.date | None = None
    note: str = ""
    procedure: str = ""
    result_number: str = ""
    certificate_url: str = ""


def section_reviewer_for(item: CaseItem) -> User | None:
    """The person the workflow lets record review steps for this item: a section reviewer of its
    department (and section). The approval system is where they work; we attribute its events to them."""
    approval = item.approval_item
    grants = RoleAssignment.objects.filter(
        role=Role.SECTION_REVIEWER, unit_id=approval.department_id, revoked_at__isnull=True
    )
    if approval.section_id is not None:
        grants = grants.filter(section_id=approval.section_id)
    grant = grants.select_related("user").order_by("id").first()
    return grant.user if grant is not None else None


def _apply(item: CaseItem, data: EventData) -> None:
    """Call the same service the page calls, as the person the page would require."""
    day = data.on or timezone.localdate(data.occurred_at)
    kind = data.kind
    if kind in (ItemEvent.Kind.FILED, ItemEvent.Kind.RESUBMITTED):
        if item.agent is None:
            raise ValidationError(_("The item has no agent yet; assign one before filing."))
        if kind == ItemEvent.Kind.FILED:
            steps.file_item(
                item=item,
                external_ref=data.receipt_number,
                filed_on=day,
                by=item.agent,
                expected_version=item.version,
            )
        else:
            steps.resubmit(item=item, on=day, by=item.agent, expected_version=item.version)
        return
    reviewer = section_reviewer_for(item)
    if reviewer is None:
        raise ValidationError(_("No section reviewer of the department is registered to record this step."))
    if kind == ItemEvent.Kind.REVIEW_STARTED:
        steps.start_review(item=item, by=reviewer, expected_version=item.version)
    elif kind == ItemEvent.Kind.CORRECTION_REQUESTED:
        steps.request_correction(
            item=item, on=day, note=data.note, by=reviewer, expected_version=item.version
        )
    elif kind == ItemEvent.Kind.SPECIAL_PROCEDURE_STARTED:
        steps.start_special_procedure(
            item=item, kind=data.procedure, start_on=day, note=data.note, by=reviewer
        )
    elif kind == ItemEvent.Kind.SPECIAL_PROCEDURE_ENDED:
        stop = item.stops.filter(end_on__isnull=True).exclude(kind=ClockStop.Kind.CORRECTION).first()
        if stop is None:
            raise ValidationError(_("No special procedure is open for this item."))
        steps.end_special_procedure(stop=stop, end_on=day, by=reviewer)
    elif kind == ItemEvent.Kind.APPROVED:
        steps.approve(
            item=item,
            decided_on=day,
            by=reviewer,
            expected_version=item.version,
            result_number=data.result_number,
        )
    elif kind == ItemEvent.Kind.REFUSED:
        steps.refuse(item=item, decided_on=day, reason=data.note, by=reviewer, expected_version=item.version)
    else:  # the schema allows only the kinds above
        raise ValidationError(_("Unknown event kind."))


def _stale_reason(item: CaseItem, data: EventData) -> str | None:
    latest = (
        ItemEvent.objects.filter(case_item=item, outcome=ItemEvent.Outcome.APPLIED)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if latest is not None and data.occurred_at < latest:
        return _("An event newer than this one was already applied; it does not undo it.")
    target = EVENT_TARGET.get(data.kind)
    if target is not None and item.state == target and data.kind != ItemEvent.Kind.RESUBMITTED:
        return _("The item is already in this state.")
    return None


def _payload(data: EventData) -> dict[str, Any]:
    return {
        "receipt_number": data.receipt_number,
        "on": str(data.on or ""),
        "note": data.note,
        "procedure": data.procedure,
        "result_number": data.result_number,
        "certificate_url": data.certificate_url,
    }


@dataclass(frozen=True)
class EventOutcome:
    event: ItemEvent
    created: bool
    item_state: str
    item_version: int


def _repeat(client: ApiClient, event_id: str) -> EventOutcome | None:
    existing = ItemEvent.objects.filter(client=client, event_id=event_id).first()
    if existing is None:
        return None
    now = CaseItem.objects.values("state", "version").get(pk=existing.case_item_id)
    return EventOutcome(existing, False, now["state"], now["version"])


def receive_item_event(*, client: ApiClient, item: CaseItem, data: EventData) -> EventOutcome:
    """Apply one approval-system event through the item's service functions, once per event id.

    A repeat of an event id returns what was stored for it. An event older than one already applied, or
    one the workflow refuses now, is stored as a conflict (with an audit entry) and shown to the
    coordinator on the item page; it never changes the item. The item is locked once
    (`ITEM.holding`): the stale check and the page's service run under that one lock. Everything the
    event writes is one savepoint, so within a batch a failed event never half-saves another."""
    repeat = _repeat(client, data.event_id)
    if repeat is not None:
        return repeat
    try:
        with transaction.atomic(), ITEM.holding(item) as locked:
            detail = _stale_reason(locked, data)
            if detail is None:
                try:
                    with transaction.atomic():
                        _apply(locked, data)
                except (ValidationError, TransitionRefused) as exc:
                    detail = "；".join(exc.messages)[:255]
                    locked.refresh_from_db()  # the step's savepoint is rolled back; so is the instance
            outcome = ItemEvent.Outcome.APPLIED if detail is None else ItemEvent.Outcome.CONFLICT
            event = ItemEvent.objects.create(
                client=client,
                event_id=data.event_id,
                case_item=locked,
                kind=data.kind,
                occurred_at=data.occurred_at,
                payload=_payload(data),
                outcome=outcome,
                detail=detail or "",
            )
            if detail is not None:
                record(
                    actor=None,
                    verb=AuditVerb.ITEM_EVENT_CONFLICTED,
                    target=event,
                    after={"client": client.name, "kind": data.kind, "detail": detail},
                )
            state, version = locked.state, locked.version
    except IntegrityError:  # the same event id, delivered twice at once: the other delivery won
        repeat = _repeat(client, data.event_id)
        assert repeat is not None
        return repeat
    return EventOutcome(event, True, state, version)


# Intake from the 帮代办区 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeData:
    external_id: str
    uscc: str
    contact_mobile: str
    project_code: str
    project: ProjectData | None
    item_codes: Sequence[str]
    mode: str
    consent: bool
    free_of_charge_acknowledged: bool
    note: str = ""


@dataclass(frozen=True)
class IntakeOutcome:
    request: ServiceRequest
    created: bool


def _representative(client: ApiClient, data: IntakeData) -> tuple[Applicant, User]:
    errors: dict[str, list[str]] = {}
    try:
        validate_uscc(data.uscc)
    except ValidationError as exc:
        errors["enterprise.uscc"] = exc.messages
    try:
        validate_mobile(data.contact_mobile)
    except ValidationError as exc:
        errors["contact.mobile"] = exc.messages
    if errors:
        raise ValidationError(errors)
    applicant = Applicant.objects.filter(
        jurisdiction=client.jurisdiction, uscc=normalize_uscc(data.uscc)
    ).first()
    if applicant is None:
        raise ValidationError(
            {"enterprise.uscc": [_("This enterprise is not registered on the platform in this county yet.")]}
        )
    link = (
        applicant.representatives.select_related("user")
        .filter(user__mobile=normalize_mobile(data.contact_mobile), user__is_active=True)
        .first()
    )
    if link is None:
        raise ValidationError(
            {"contact.mobile": [_("The contact is not a registered representative of this enterprise.")]}
        )
    return applicant, link.user


@transaction.atomic
def receive_request(*, client: ApiClient, data: IntakeData) -> IntakeOutcome:
    """A request from the 帮代办区: found again by its external id, else submitted through `submit_request`
    (online, as the enterprise's representative the contact is), so acceptance and dispatch follow as for
    a request made on our pages."""
    existing = IntakeReceipt.objects.select_related("request").filter(
        client=client, external_id=data.external_id
    )
    if existing.exists():
        return IntakeOutcome(existing.get().request, created=False)
    applicant, person = _representative(client, data)
    code = normalize_project_code(data.project_code) if data.project_code else ""
    project = applicant.projects.filter(project_code=code).first() if code else None
    if project is None:
        if data.project is None:
            raise ValidationError({"project": [_("Give the project's details: it is not registered yet.")]})
        project = create_project(applicant=applicant, data=data.project, by=person)
    chosen = list(
        ApprovalItem.objects.filter(
            jurisdiction=client.jurisdiction, is_active=True, code__in=data.item_codes
        )
    )
    unknown = sorted(set(data.item_codes) - {i.code for i in chosen})
    if unknown:
        raise ValidationError(
            {"items": [_("Unknown approval items: %(codes)s") % {"codes": "、".join(unknown)}]}
        )
    request = steps.submit_request(
        project=project,
        data=steps.RequestData(
            mode=data.mode,
            approval_items=chosen,
            consent=data.consent,
            free_of_charge_acknowledged=data.free_of_charge_acknowledged,
            note=data.note,
        ),
        by=person,
        channel=ServiceRequest.Channel.ONLINE,
    )
    IntakeReceipt.objects.create(client=client, external_id=data.external_id, request=request)
    return IntakeOutcome(request, created=True)
