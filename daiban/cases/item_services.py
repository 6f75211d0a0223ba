"""The proxy chain for one item: collect materials, file, review (with corrections and special procedures),
decide, pick up, deliver. Every step locks the request and then the item (`ITEM.lock`), so steps on one
item run one after the other; each state change goes through `ITEM.apply` (check, save, timeline, audit,
notifications — one transaction; ADR 0012). Steps that create rows beside the item (clock stops,
checklist lines, chases) check and create under the same lock, and the database refuses a second open
clock stop even if a path forgot. The stored deadline `due_on` is rewritten by each step that changes its
inputs (filing date, clock stops)."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.audit import record
from daiban.common.validators import future_date_error, validate_not_in_future
from daiban.organizations.models import Unit, User

from .models import (
    CHASE_STATES,
    CHECKLIST_OPEN_STATES,
    HANDLING_STATES,
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
from .workflows import ITEM, REQUEST, is_agent_of, is_reviewer_of, item_url, tell_applicant

RECEIPT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,39}$")
I = CaseItem.State  # noqa: E741
REVIEWING = frozenset({I.FILED, I.UNDER_REVIEW, I.RESUBMITTED})


def _refresh_due_on(item: CaseItem) -> CaseItem:
    """Keep the stored deadline in step with the filing date and the stops this step just changed."""
    due_on = derived_due_on(item)
    CaseItem.objects.filter(pk=item.pk).update(due_on=due_on)
    item.due_on = due_on
    return item


def _open_stop(item: CaseItem) -> ClockStop | None:
    return item.stops.filter(end_on__isnull=True).first()


def _locked(item: CaseItem) -> CaseItem:
    """The item re-read under its request's and its own row lock (see `ITEM.lock`)."""
    return ITEM.lock(item)


@transaction.atomic
def start_collecting(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    return ITEM.apply(_locked(item), "start_collecting", by=by, expected_version=expected_version)


@transaction.atomic
def update_checklist_line(
    *, line: ItemMaterial, status: str, promised_on: dt.date | None, note: str, by: User
) -> ItemMaterial:
    """上门受理: mark one material received, missing, to be corrected, or (non-key only) promised later.

    Runs under the item's lock, so marking the item ready never sees half of a checklist change."""
    item = _locked(line.case_item)
    line = item.checklist.select_related("material").get(pk=line.pk)
    if not is_agent_of(by, item):
        raise ValidationError(_("Only the item's agent keeps its checklist."))
    if item.state not in CHECKLIST_OPEN_STATES:
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
    )
    return line


@transaction.atomic
def mark_ready(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    item = _locked(item)
    blocking = [
        line.material.name
        for line in item.checklist.select_related("material")
        if line.status != ItemMaterial.Status.RECEIVED
        and (line.material.is_key or line.status != ItemMaterial.Status.PROMISED)
    ]
    if blocking:
        raise ValidationError(
            _("Not ready: key materials must be received and others received or promised: %(names)s")
            % {"names": "、".join(blocking)}
        )
    return ITEM.apply(item, "mark_ready", by=by, expected_version=expected_version)


@transaction.atomic
def file_item(
    *, item: CaseItem, external_ref: str, filed_on: dt.date, by: User, expected_version: int
) -> CaseItem:
    """Filed into the approval system: the receipt number is recorded and the item's clock starts."""
    item = _locked(item)
    ref = external_ref.strip()
    if not RECEIPT_RE.match(ref):
        raise ValidationError({"external_ref": _("The receipt number has 6–40 letters, digits or dashes.")})
    validate_not_in_future(filed_on, field="filed_on")
    if filed_on < timezone.localdate(item.request.submitted_at):
        raise ValidationError({"filed_on": _("An item cannot be filed before the request was submitted.")})
    changes = {"external_ref": ref, "filed_on": filed_on}
    item = ITEM.apply(item, "file", by=by, expected_version=expected_version, changes=changes, note=ref)
    return _refresh_due_on(item)


@transaction.atomic
def start_review(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    return ITEM.apply(_locked(item), "start_review", by=by, expected_version=expected_version)


@transaction.atomic
def request_correction(
    *, item: CaseItem, on: dt.date, note: str, by: User, expected_version: int
) -> CaseItem:
    """补正: the clock stops from `on` until the applicant's corrected materials are resubmitted."""
    item = _locked(item)
    if len(note.strip()) < 2:
        raise ValidationError({"note": _("Say what must be corrected.")})
    validate_not_in_future(on, field="on")
    if item.filed_on is not None and on < item.filed_on:
        raise ValidationError({"on": _("A correction cannot be requested before the item was filed.")})
    ITEM.check(item, "request_correction", by=by)
    if _open_stop(item) is not None:
        raise ValidationError(_("Another clock stop is still open; end it first."))
    item = ITEM.apply(item, "request_correction", by=by, expected_version=expected_version, note=note.strip())
    ClockStop.objects.create(
        case_item=item, kind=ClockStop.Kind.CORRECTION, start_on=on, note=note.strip()[:255]
    )
    return _refresh_due_on(item)


@transaction.atomic
def resubmit(*, item: CaseItem, on: dt.date, by: User, expected_version: int) -> CaseItem:
    item = _locked(item)
    validate_not_in_future(on, field="on")
    stop = item.stops.filter(kind=ClockStop.Kind.CORRECTION, end_on__isnull=True).first()
    if stop is not None and on < stop.start_on:
        raise ValidationError({"on": _("The resubmission cannot be before the correction was requested.")})
    item = ITEM.apply(item, "resubmit", by=by, expected_version=expected_version)
    if stop is not None:
        stop.end_on = on
        stop.save(update_fields=["end_on"])
    return _refresh_due_on(item)


def _check_reviewer(item: CaseItem, by: User) -> None:
    if not is_reviewer_of(by, item):
        raise ValidationError(_("Only the department's section reviewer records special procedures."))


@transaction.atomic
def start_special_procedure(
    *, item: CaseItem, kind: str, start_on: dt.date, note: str, by: User
) -> ClockStop:
    """公示, 专家评审, 听证: by law these days do not count. One stop at a time, checked under the item's lock
    (and refused by the database besides)."""
    item = _locked(item)
    _check_reviewer(item, by)
    if kind not in ClockStop.Kind.values or kind == ClockStop.Kind.CORRECTION:
        raise ValidationError({"kind": _("Choose public notice, expert review or hearing.")})
    if item.state not in REVIEWING or item.request.state not in HANDLING_STATES:
        raise ValidationError(_("Special procedures happen while the item is under review."))
    validate_not_in_future(start_on, field="start_on")
    if item.filed_on is not None and start_on < item.filed_on:
        raise ValidationError({"start_on": _("It cannot start before the item was filed.")})
    if _open_stop(item) is not None:
        raise ValidationError(_("Another clock stop is still open; end it first."))
    stop = ClockStop.objects.create(case_item=item, kind=kind, start_on=start_on, note=note.strip()[:255])
    _refresh_due_on(item)
    _clock_history(item, stop, "item.clock_stopped", by)
    record(actor=by, verb="item.clock_stopped", target=stop, after={"kind": kind, "start_on": str(start_on)})
    return stop


@transaction.atomic
def end_special_procedure(*, stop: ClockStop, end_on: dt.date, by: User) -> ClockStop:
    item = _locked(stop.case_item)
    stop = item.stops.get(pk=stop.pk)  # as stored now, under the item's lock
    _check_reviewer(item, by)
    if stop.kind == ClockStop.Kind.CORRECTION:
        raise ValidationError(_("This clock stop cannot be ended here."))
    if stop.end_on is not None:
        raise ValidationError(
            _("This special procedure was already ended (on %(on)s); reload the page.") % {"on": stop.end_on}
        )
    validate_not_in_future(end_on, field="end_on")
    if end_on < stop.start_on:
        raise ValidationError({"end_on": _("It cannot end before it started.")})
    stop.end_on = end_on
    stop.save(update_fields=["end_on"])
    _refresh_due_on(item)
    _clock_history(item, stop, "item.clock_resumed", by)
    record(actor=by, verb="item.clock_resumed", target=stop, after={"end_on": str(end_on)})
    return stop


def _clock_history(item: CaseItem, stop: ClockStop, verb: str, by: User) -> None:
    TimelineEntry.objects.create(
        request=item.request,
        case_item=item,
        by=by,
        verb=verb,
        text=f"{item.approval_item.name}：{stop.get_kind_display()}",
    )


def _decide(
    item: CaseItem, action: str, *, decided_on: dt.date, by: User, expected_version: int, note: str
) -> CaseItem:
    validate_not_in_future(decided_on, field="decided_on")
    if item.filed_on is not None and decided_on < item.filed_on:
        raise ValidationError({"decided_on": _("A decision cannot come before the filing.")})
    if _open_stop(item) is not None:
        raise ValidationError(_("A clock stop is still open; end it before deciding."))
    changes = {"decided_on": decided_on}
    return ITEM.apply(item, action, by=by, expected_version=expected_version, changes=changes, note=note)


@transaction.atomic
def approve(*, item: CaseItem, decided_on: dt.date, by: User, expected_version: int) -> CaseItem:
    return _decide(
        _locked(item), "approve", decided_on=decided_on, by=by, expected_version=expected_version, note=""
    )


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
    complete_request_if_done(request=item.request, by=by)
    return item


@transaction.atomic
def pick_up(*, item: CaseItem, on: dt.date, by: User, expected_version: int) -> CaseItem:
    item = _locked(item)
    validate_not_in_future(on, field="on")
    if item.decided_on is not None and on < item.decided_on:
        raise ValidationError({"on": _("A result cannot be picked up before it was decided.")})
    return ITEM.apply(item, "pick_up", by=by, expected_version=expected_version, changes={"picked_up_on": on})


@dataclass(frozen=True)
class DeliveryData:
    """统一送达: in person (who received it), by post (carrier and tracking number) or e-certificate."""

    method: str
    delivered_on: dt.date
    receiver: str = ""
    carrier: str = ""
    tracking_number: str = ""
    signature: UploadedFile | None = None


def _check_delivery(item: CaseItem, data: DeliveryData) -> str:
    """Everything about a delivery that can be wrong, at once; returns the signature's sniffed type."""
    errors: dict[str, str] = {}
    if data.method not in Delivery.Method.values:
        errors["method"] = _("Choose how the result was delivered.")
    if data.method == Delivery.Method.IN_PERSON and not data.receiver.strip():
        errors["receiver"] = _("Name the person who received it.")
    if data.method == Delivery.Method.POST and (
        not data.carrier.strip() or not re.fullmatch(r"[A-Za-z0-9]{8,30}", data.tracking_number.strip())
    ):
        errors["tracking_number"] = _("Give the carrier and its tracking number (8–30 letters or digits).")
    if (
        data.method == Delivery.Method.E_CERTIFICATE
        and not item.approval_item.result_document.is_e_certificate
    ):
        errors["method"] = _("This result is not issued as an e-certificate.")
    signature_mime = ""
    if data.signature is not None:
        try:
            signature_mime = sniff(data.signature)
        except ValidationError as exc:
            errors["signature"] = " ".join(exc.messages)
        else:
            if not signature_mime.startswith("image/"):
                errors["signature"] = _("The signature must be a photo (JPEG or PNG).")
    if errors:
        raise ValidationError(errors)
    validate_not_in_future(data.delivered_on, field="delivered_on")
    if item.picked_up_on is not None and data.delivered_on < item.picked_up_on:
        raise ValidationError({"delivered_on": _("A result cannot be delivered before it was picked up.")})
    return signature_mime


@transaction.atomic
def deliver(
    *,
    item: CaseItem,
    method: str,
    delivered_on: dt.date,
    by: User,
    expected_version: int,
    receiver: str = "",
    carrier: str = "",
    tracking_number: str = "",
    signature: UploadedFile | None = None,
) -> CaseItem:
    """统一送达: the result reaches the applicant; the request completes when it was the last item."""
    data = DeliveryData(method, delivered_on, receiver, carrier, tracking_number, signature)
    item = _locked(item)
    signature_mime = _check_delivery(item, data)
    item = ITEM.apply(item, "deliver", by=by, expected_version=expected_version)
    Delivery.objects.create(
        case_item=item,
        method=data.method,
        delivered_on=data.delivered_on,
        receiver=data.receiver.strip(),
        carrier=data.carrier.strip(),
        tracking_number=data.tracking_number.strip(),
    )
    if data.signature is not None:
        store_document(
            request=item.request,
            upload=data.signature,
            mime=signature_mime,
            by=by,
            kind=RequestDocument.Kind.SIGNATURE,
            case_item=item,
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
    *,
    request: ServiceRequest,
    visited_on: dt.date,
    place: str,
    people_met: str,
    note: str,
    uploads: Sequence[VisitUpload],
    by: User,
) -> Visit:
    """上门受理: who the agent met, where, what was done; scans, photos and forms filled on the applicant's
    behalf."""
    request = REQUEST.lock(request)
    if not request.items.filter(agent=by).exists():
        raise ValidationError(_("Only an agent of this request records visits."))
    if request.state not in HANDLING_STATES:
        raise ValidationError(_("The request is not being handled."))
    errors: dict[str, list[str]] = {}
    if not place.strip():
        errors.setdefault("place", []).append(_("Where was the visit?"))
    if not people_met.strip():
        errors.setdefault("people_met", []).append(_("Whom did you meet?"))
    if future := future_date_error(visited_on):
        errors.setdefault("visited_on", []).append(future)
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
        request=request,
        agent=by,
        visited_on=visited_on,
        place=place.strip()[:255],
        people_met=people_met.strip()[:255],
        note=note.strip(),
    )
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
        by=by,
        verb="request.visited",
        text=f"{visited_on} {visit.place}（{visit.people_met}）",
    )
    after = {"visited_on": str(visited_on), "place": visit.place, "documents": len(mimes)}
    record(actor=by, verb="visit.recorded", target=visit, after=after)
    return visit


@transaction.atomic
def record_chase(
    *,
    item: CaseItem,
    chased_on: dt.date,
    department: Unit,
    how: str,
    answer: str,
    next_step: str,
    shared: bool,
    by: User,
) -> ChaseRecord:
    """跟踪催办: the agent asked a department how the item stands; shared records reach the applicant."""
    item = _locked(item)
    if not is_agent_of(by, item):
        raise ValidationError(_("Only the item's agent records chases."))
    if item.state not in CHASE_STATES:
        raise ValidationError(_("Chasing starts once the item is filed."))
    errors: dict[str, str] = {}
    if how not in ChaseRecord.How.values:
        errors["how"] = _("Choose how you chased.")
    if department.kind != Unit.Kind.DEPARTMENT or department.jurisdiction_id != item.request.jurisdiction_id:
        errors["department"] = _("Choose an approval department of this jurisdiction.")
    if not answer.strip():
        errors["answer"] = _("Record the department's answer.")
    if future := future_date_error(chased_on):
        errors["chased_on"] = future
    elif item.filed_on is not None and chased_on < item.filed_on:
        errors["chased_on"] = _("A chase cannot come before the filing.")
    if errors:
        raise ValidationError(errors)
    chase = ChaseRecord.objects.create(
        case_item=item,
        chased_on=chased_on,
        department=department,
        how=how,
        answer=answer.strip(),
        next_step=next_step.strip()[:255],
        shared_with_applicant=shared,
        by=by,
    )
    # The timeline is the applicant's too: an internal chase shows only that it happened.
    told = f" · {answer.strip()[:200]}" if shared else ""
    TimelineEntry.objects.create(
        request=item.request,
        case_item=item,
        by=by,
        verb="item.chased",
        text=f"{item.approval_item.name}：{department.short_name or department.name}{told}",
    )
    after = {"department": department.pk, "how": how, "shared": shared}
    record(actor=by, verb="item.chased", target=chase, after=after)
    if shared:
        names = {"item": item.approval_item.name, "answer": answer.strip()[:120]}
        tell_applicant(
            item.request,
            "item.progress_reported",
            _("Progress on %(item)s: %(answer)s") % names,
            next_step.strip(),
            url=item_url(item),
        )
    return chase
