"""The proxy chain for one item: collect materials, file, review (with corrections and special procedures),
decide, pick up, deliver. One function per transition; each checks the graph, the actor and the item's
version (so two people saving at once cannot overwrite each other), then writes timeline, audit and
notifications in the same transaction. Deadlines are never stored: they are derived from `filed_on`,
the committed limit and the clock stops (see `selectors.item_clocks`)."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.audit import record
from daiban.notifications.services import notify
from daiban.organizations.models import Role, Unit, User
from daiban.organizations.selectors import active_roles

from .item_states import ACTOR_ROLE, ITEM_ACTION_LABELS, ITEM_TRANSITIONS
from .models import (
    CaseItem,
    ChaseRecord,
    ClockStop,
    Delivery,
    ItemMaterial,
    RequestDocument,
    ServiceRequest,
    TimelineEntry,
    Visit,
)
from .selectors import derived_due_on
from .services import complete_request_if_done
from .uploads import sniff, store_document

RECEIPT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,39}$")
I = CaseItem.State  # noqa: E741


def is_reviewer_of(user: object, item: CaseItem) -> bool:
    """A section reviewer of the item's department (and of its section, where the catalogue names one)."""
    approval = item.approval_item
    return any(
        a.role == Role.SECTION_REVIEWER
        and a.unit_id == approval.department_id
        and (approval.section_id is None or a.section_id == approval.section_id)
        for a in active_roles(user)
    )


def may_act(user: object, item: CaseItem, action: str) -> bool:
    if ACTOR_ROLE[action] == Role.AGENT:
        return item.agent_id is not None and item.agent_id == getattr(user, "pk", None)
    return is_reviewer_of(user, item)


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _transition(
    item: CaseItem, action: str, *, by: User, expected_version: int, changes: dict[str, object] | None = None,
    note: str = "",
) -> CaseItem:  # fmt: skip
    target = ITEM_TRANSITIONS[action].get(item.state)
    if target is None:
        raise ValidationError(
            _("This item is “%(state)s”; “%(action)s” is not possible now.")
            % {"state": item.get_state_display(), "action": ITEM_ACTION_LABELS[action]}
        )
    if not may_act(by, item, action):
        raise ValidationError(_("You are not the one who records this step for this item."))
    if item.request.state not in (ServiceRequest.State.ACCEPTED, ServiceRequest.State.DISPATCHED):
        raise ValidationError(_("The request is not being handled."))
    before = item.state
    updated = CaseItem.objects.filter(pk=item.pk, version=expected_version, state=before).update(
        state=target, version=F("version") + 1, **(changes or {})
    )
    if not updated:
        raise ValidationError(_("Someone else changed this item meanwhile; reload the page and try again."))
    TimelineEntry.objects.create(
        request=item.request, case_item=item, actor=by, verb=f"item.{action}", from_state=before, to_state=target,
        note=f"{item.approval_item.name}" + (f"：{note}" if note else ""),
    )  # fmt: skip
    record(
        actor=by,
        verb=f"item.{action}",
        target=item,
        before={"state": before, "version": expected_version},
        after={"state": target, **{k: str(v) for k, v in (changes or {}).items()}, "note": note},
        jurisdiction_code=item.request.jurisdiction.code,
    )
    item.refresh_from_db()
    return item


def _refresh_due_on(item: CaseItem) -> CaseItem:
    """Keep the stored deadline in step with the filing date and the stops this step just changed."""
    due_on = derived_due_on(
        CaseItem.objects.select_related("request__jurisdiction", "approval_item").get(pk=item.pk)
    )
    CaseItem.objects.filter(pk=item.pk).update(due_on=due_on)
    item.due_on = due_on
    return item


def _tell_applicant(item: CaseItem, verb: str, title: str, body: str = "") -> None:
    notify(
        recipients=[link.user for link in item.request.applicant.representatives.select_related("user")],
        verb=verb,
        title=title,
        body=body,
        url=reverse("cases:item_detail", args=[item.request_id, item.pk]),
        jurisdiction_code=item.request.jurisdiction.code,
    )


def _locked(item: CaseItem) -> CaseItem:
    return CaseItem.objects.select_related(
        "request__jurisdiction", "request__applicant", "approval_item__result_document", "agent"
    ).get(pk=item.pk)


@transaction.atomic
def start_collecting(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    return _transition(_locked(item), "start_collecting", by=by, expected_version=expected_version)


@transaction.atomic
def update_checklist_line(
    *, line: ItemMaterial, status: str, promised_on: dt.date | None, note: str, by: User
) -> ItemMaterial:
    """上门受理: mark one material received, missing, to be corrected, or (non-key only) promised later."""
    item = _locked(line.case_item)
    if item.agent_id != by.pk:
        raise ValidationError(_("Only the item's agent keeps its checklist."))
    if item.state not in (I.PLANNED, I.COLLECTING, I.CORRECTION_REQUESTED):
        raise ValidationError(_("The checklist is closed once the item is filed (reopened for corrections)."))
    if status not in ItemMaterial.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == ItemMaterial.Status.PROMISED:
        if line.material.is_key:
            raise ValidationError({"status": _("A key material cannot be accepted as deficient (容缺).")})
        if promised_on is None or promised_on < timezone.localdate():
            raise ValidationError(
                {"promised_on": _("Give the date by which the applicant promises it (today or later).")}
            )
    else:
        promised_on = None
    before = {"status": line.status, "promised_on": str(line.promised_on or "")}
    line.status, line.promised_on, line.note = status, promised_on, note.strip()[:255]
    line.save(update_fields=["status", "promised_on", "note"])
    record(
        actor=by,
        verb="checklist.updated",
        target=line,
        before=before,
        after={"status": status, "promised_on": str(promised_on or "")},
        jurisdiction_code=item.request.jurisdiction.code,
    )
    return line


@transaction.atomic
def mark_ready(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    item = _locked(item)
    lines = list(item.checklist.select_related("material"))
    blocking = [
        line.material.name
        for line in lines
        if line.status != ItemMaterial.Status.RECEIVED
        and (line.material.is_key or line.status != ItemMaterial.Status.PROMISED)
    ]
    if blocking:
        raise ValidationError(
            _("Not ready: key materials must be received and others received or promised: %(names)s")
            % {"names": "、".join(blocking)}
        )
    return _transition(item, "mark_ready", by=by, expected_version=expected_version)


@transaction.atomic
def file_item(
    *, item: CaseItem, external_ref: str, filed_on: dt.date, by: User, expected_version: int
) -> CaseItem:
    """Filed into the approval system: the receipt number is recorded and the item's clock starts."""
    item = _locked(item)
    ref = external_ref.strip()
    if not RECEIPT_RE.match(ref):
        raise ValidationError({"external_ref": _("The receipt number has 6–40 letters, digits or dashes.")})
    _not_future(filed_on, "filed_on")
    if filed_on < timezone.localdate(item.request.submitted_at):
        raise ValidationError({"filed_on": _("An item cannot be filed before the request was submitted.")})
    item = _transition(
        item, "file", by=by, expected_version=expected_version, changes={"external_ref": ref, "filed_on": filed_on},
        note=ref,
    )  # fmt: skip
    _refresh_due_on(item)
    _tell_applicant(
        item,
        "item.filed",
        _("%(item)s was filed (receipt %(ref)s)") % {"item": item.approval_item.name, "ref": ref},
    )
    return item


@transaction.atomic
def start_review(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    return _transition(_locked(item), "start_review", by=by, expected_version=expected_version)


@transaction.atomic
def request_correction(
    *, item: CaseItem, on: dt.date, note: str, by: User, expected_version: int
) -> CaseItem:
    """补正: the clock stops from `on` until the applicant's corrected materials are resubmitted."""
    item = _locked(item)
    if len(note.strip()) < 2:
        raise ValidationError({"note": _("Say what must be corrected.")})
    _not_future(on, "on")
    if item.filed_on is not None and on < item.filed_on:
        raise ValidationError({"on": _("A correction cannot be requested before the item was filed.")})
    item = _transition(
        item, "request_correction", by=by, expected_version=expected_version, note=note.strip()
    )
    ClockStop.objects.create(
        case_item=item, kind=ClockStop.Kind.CORRECTION, start_on=on, note=note.strip()[:255]
    )
    _refresh_due_on(item)
    _tell_applicant(
        item,
        "item.correction_requested",
        _("%(item)s needs corrected materials") % {"item": item.approval_item.name},
        note.strip(),
    )
    if item.agent is not None:
        notify(recipients=[item.agent], verb="item.correction_requested",
               title=_("Correction requested: %(item)s") % {"item": item.approval_item.name}, body=note.strip(),
               url=reverse("cases:item_detail", args=[item.request_id, item.pk]),
               jurisdiction_code=item.request.jurisdiction.code)  # fmt: skip
    return item


@transaction.atomic
def resubmit(*, item: CaseItem, on: dt.date, by: User, expected_version: int) -> CaseItem:
    item = _locked(item)
    _not_future(on, "on")
    stop = item.stops.filter(kind=ClockStop.Kind.CORRECTION, end_on__isnull=True).first()
    if stop is not None and on < stop.start_on:
        raise ValidationError({"on": _("The resubmission cannot be before the correction was requested.")})
    item = _transition(item, "resubmit", by=by, expected_version=expected_version)
    if stop is not None:
        stop.end_on = on
        stop.save(update_fields=["end_on"])
    return _refresh_due_on(item)


@transaction.atomic
def start_special_procedure(
    *, item: CaseItem, kind: str, start_on: dt.date, note: str, by: User
) -> ClockStop:
    """公示, 专家评审, 听证: by law these days do not count."""
    item = _locked(item)
    if not is_reviewer_of(by, item):
        raise ValidationError(_("Only the department's section reviewer records special procedures."))
    if kind not in ClockStop.Kind.values or kind == ClockStop.Kind.CORRECTION:
        raise ValidationError({"kind": _("Choose public notice, expert review or hearing.")})
    if item.state not in (I.FILED, I.UNDER_REVIEW, I.RESUBMITTED):
        raise ValidationError(_("Special procedures happen while the item is under review."))
    _not_future(start_on, "start_on")
    if item.filed_on is not None and start_on < item.filed_on:
        raise ValidationError({"start_on": _("It cannot start before the item was filed.")})
    if item.stops.filter(end_on__isnull=True).exists():
        raise ValidationError(_("Another clock stop is still open; end it first."))
    stop = ClockStop.objects.create(case_item=item, kind=kind, start_on=start_on, note=note.strip()[:255])
    _refresh_due_on(item)
    TimelineEntry.objects.create(
        request=item.request, case_item=item, actor=by, verb="item.clock_stopped",
        note=f"{item.approval_item.name}：{stop.get_kind_display()}",
    )  # fmt: skip
    record(actor=by, verb="item.clock_stopped", target=stop, after={"kind": kind, "start_on": str(start_on)},
           jurisdiction_code=item.request.jurisdiction.code)  # fmt: skip
    return stop


@transaction.atomic
def end_special_procedure(*, stop: ClockStop, end_on: dt.date, by: User) -> ClockStop:
    item = _locked(stop.case_item)
    if not is_reviewer_of(by, item):
        raise ValidationError(_("Only the department's section reviewer records special procedures."))
    if stop.end_on is not None or stop.kind == ClockStop.Kind.CORRECTION:
        raise ValidationError(_("This clock stop cannot be ended here."))
    _not_future(end_on, "end_on")
    if end_on < stop.start_on:
        raise ValidationError({"end_on": _("It cannot end before it started.")})
    stop.end_on = end_on
    stop.save(update_fields=["end_on"])
    _refresh_due_on(item)
    TimelineEntry.objects.create(
        request=item.request, case_item=item, actor=by, verb="item.clock_resumed",
        note=f"{item.approval_item.name}：{stop.get_kind_display()}",
    )  # fmt: skip
    record(actor=by, verb="item.clock_resumed", target=stop, after={"end_on": str(end_on)},
           jurisdiction_code=item.request.jurisdiction.code)  # fmt: skip
    return stop


def _decide(
    item: CaseItem, action: str, *, decided_on: dt.date, by: User, expected_version: int, note: str
) -> CaseItem:
    _not_future(decided_on, "decided_on")
    if item.filed_on is not None and decided_on < item.filed_on:
        raise ValidationError({"decided_on": _("A decision cannot come before the filing.")})
    if item.stops.filter(end_on__isnull=True).exists():
        raise ValidationError(_("A clock stop is still open; end it before deciding."))
    return _transition(item, action, by=by, expected_version=expected_version, changes={"decided_on": decided_on},
                       note=note)  # fmt: skip


@transaction.atomic
def approve(*, item: CaseItem, decided_on: dt.date, by: User, expected_version: int) -> CaseItem:
    item = _decide(
        _locked(item), "approve", decided_on=decided_on, by=by, expected_version=expected_version, note=""
    )
    _tell_applicant(item, "item.approved", _("%(item)s was approved") % {"item": item.approval_item.name})
    return item


@transaction.atomic
def refuse(*, item: CaseItem, decided_on: dt.date, reason: str, by: User, expected_version: int) -> CaseItem:
    if len(reason.strip()) < 4:
        raise ValidationError({"reason": _("Give the legal reason for refusing.")})
    item = _decide(
        _locked(item),
        "refuse",
        decided_on=decided_on,
        by=by,
        expected_version=expected_version,
        note=reason.strip(),
    )
    _tell_applicant(
        item, "item.refused", _("%(item)s was refused") % {"item": item.approval_item.name}, reason.strip()
    )
    complete_request_if_done(request=item.request, by=by)
    return item


@transaction.atomic
def pick_up(*, item: CaseItem, on: dt.date, by: User, expected_version: int) -> CaseItem:
    item = _locked(item)
    _not_future(on, "on")
    if item.decided_on is not None and on < item.decided_on:
        raise ValidationError({"on": _("A result cannot be picked up before it was decided.")})
    return _transition(
        item, "pick_up", by=by, expected_version=expected_version, changes={"picked_up_on": on}
    )


@transaction.atomic
def deliver(
    *, item: CaseItem, method: str, delivered_on: dt.date, by: User, expected_version: int, receiver: str = "",
    carrier: str = "", tracking_number: str = "", signature: UploadedFile | None = None,
) -> CaseItem:  # fmt: skip
    """统一送达: in person (who received it), by post (carrier and tracking number) or e-certificate."""
    item = _locked(item)
    errors: dict[str, str] = {}
    if method not in Delivery.Method.values:
        errors["method"] = _("Choose how the result was delivered.")
    if method == Delivery.Method.IN_PERSON and not receiver.strip():
        errors["receiver"] = _("Name the person who received it.")
    if method == Delivery.Method.POST and (
        not carrier.strip() or not re.fullmatch(r"[A-Za-z0-9]{8,30}", tracking_number.strip())
    ):
        errors["tracking_number"] = _("Give the carrier and its tracking number (8–30 letters or digits).")
    if method == Delivery.Method.E_CERTIFICATE and not item.approval_item.result_document.is_e_certificate:
        errors["method"] = _("This result is not issued as an e-certificate.")
    signature_mime = ""
    if signature is not None:
        try:
            signature_mime = sniff(signature)
        except ValidationError as exc:
            errors["signature"] = " ".join(exc.messages)
        else:
            if not signature_mime.startswith("image/"):
                errors["signature"] = _("The signature must be a photo (JPEG or PNG).")
    if errors:
        raise ValidationError(errors)
    _not_future(delivered_on, "delivered_on")
    if item.picked_up_on is not None and delivered_on < item.picked_up_on:
        raise ValidationError({"delivered_on": _("A result cannot be delivered before it was picked up.")})
    item = _transition(item, "deliver", by=by, expected_version=expected_version)
    Delivery.objects.create(
        case_item=item, method=method, delivered_on=delivered_on, receiver=receiver.strip(), carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
    )  # fmt: skip
    if signature is not None:
        store_document(
            request=item.request,
            upload=signature,
            mime=signature_mime,
            by=by,
            kind=RequestDocument.Kind.SIGNATURE,
            case_item=item,
        )
    _tell_applicant(
        item, "item.delivered", _("%(item)s: the result was delivered") % {"item": item.approval_item.name}
    )
    complete_request_if_done(request=item.request, by=by)
    return item


@dataclass(frozen=True)
class VisitUpload:
    file: UploadedFile
    kind: str
    case_item: CaseItem | None = None


@transaction.atomic
def record_visit(
    *, request: ServiceRequest, visited_on: dt.date, place: str, people_met: str, note: str,
    uploads: Sequence[VisitUpload], by: User,
) -> Visit:  # fmt: skip
    """上门受理: who the agent met, where, what was done; scans, photos and forms filled on the applicant's behalf."""
    if not request.items.filter(agent=by).exists():
        raise ValidationError(_("Only an agent of this request records visits."))
    if request.state not in (ServiceRequest.State.ACCEPTED, ServiceRequest.State.DISPATCHED):
        raise ValidationError(_("The request is not being handled."))
    errors: dict[str, list[str]] = {}
    if not place.strip():
        errors.setdefault("place", []).append(_("Where was the visit?"))
    if not people_met.strip():
        errors.setdefault("people_met", []).append(_("Whom did you meet?"))
    if visited_on > timezone.localdate():
        errors.setdefault("visited_on", []).append(_("The date cannot be in the future."))
    elif visited_on < timezone.localdate(request.submitted_at):
        errors.setdefault("visited_on", []).append(_("A visit cannot come before the request."))
    mimes = []
    for upload in uploads:
        if upload.kind not in RequestDocument.Kind.values:
            errors.setdefault("documents", []).append(_("Unknown kind of document."))
        if upload.case_item is not None and upload.case_item.request_id != request.pk:
            errors.setdefault("documents", []).append(_("That item belongs to another request."))
        try:
            mimes.append(sniff(upload.file))
        except ValidationError as exc:
            errors.setdefault("documents", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        request=request, agent=by, visited_on=visited_on, place=place.strip()[:255], people_met=people_met.strip()[:255],
        note=note.strip(),
    )  # fmt: skip
    for upload, mime in zip(uploads, mimes, strict=True):
        store_document(
            request=request,
            upload=upload.file,
            mime=mime,
            by=by,
            kind=upload.kind,
            case_item=upload.case_item,
            visit=visit,
        )
    TimelineEntry.objects.create(
        request=request,
        actor=by,
        verb="request.visited",
        note=f"{visited_on} {visit.place}（{visit.people_met}）",
    )
    record(actor=by, verb="visit.recorded", target=visit,
           after={"visited_on": str(visited_on), "place": visit.place, "documents": len(mimes)},
           jurisdiction_code=request.jurisdiction.code)  # fmt: skip
    return visit


@transaction.atomic
def record_chase(
    *, item: CaseItem, chased_on: dt.date, department: Unit, how: str, answer: str, next_step: str, shared: bool,
    by: User,
) -> ChaseRecord:  # fmt: skip
    """跟踪催办: the agent asked a department how the item stands; shared records reach the applicant."""
    item = _locked(item)
    if item.agent_id != by.pk:
        raise ValidationError(_("Only the item's agent records chases."))
    if item.state not in (I.FILED, I.UNDER_REVIEW, I.CORRECTION_REQUESTED, I.RESUBMITTED, I.APPROVED):
        raise ValidationError(_("Chasing starts once the item is filed."))
    errors: dict[str, str] = {}
    if how not in ChaseRecord.How.values:
        errors["how"] = _("Choose how you chased.")
    if department.kind != Unit.Kind.DEPARTMENT or department.jurisdiction_id != item.request.jurisdiction_id:
        errors["department"] = _("Choose an approval department of this jurisdiction.")
    if not answer.strip():
        errors["answer"] = _("Record the department's answer.")
    if chased_on > timezone.localdate():
        errors["chased_on"] = _("The date cannot be in the future.")
    elif item.filed_on is not None and chased_on < item.filed_on:
        errors["chased_on"] = _("A chase cannot come before the filing.")
    if errors:
        raise ValidationError(errors)
    chase = ChaseRecord.objects.create(
        case_item=item, chased_on=chased_on, department=department, how=how, answer=answer.strip(),
        next_step=next_step.strip()[:255], shared_with_applicant=shared, by=by,
    )  # fmt: skip
    TimelineEntry.objects.create(
        request=item.request, case_item=item, actor=by, verb="item.chased",
        # The timeline is the applicant's too: an internal chase shows only that it happened.
        note=f"{item.approval_item.name}：{department.short_name or department.name}"
        + (f" · {answer.strip()[:200]}" if shared else ""),
    )  # fmt: skip
    record(actor=by, verb="item.chased", target=chase, after={"department": department.pk, "how": how, "shared": shared},
           jurisdiction_code=item.request.jurisdiction.code)  # fmt: skip
    if shared:
        _tell_applicant(
            item, "item.progress_reported",
            _("Progress on %(item)s: %(answer)s") % {"item": item.approval_item.name, "answer": answer.strip()[:120]},
            next_step.strip(),
        )  # fmt: skip
    return chase
