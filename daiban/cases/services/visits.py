"""Field work beside the items: 上门受理 visits (who was met, where, the scans and forms filled on the
applicant's behalf) and 跟踪催办 chase records (shared ones are the applicant's progress reports)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.common.validators import future_date_error
from daiban.common.workflow import NotYourStep
from daiban.organizations.models import Unit, User

from ..models import (
    CHASE_STATES,
    HANDLING_STATES,
    CaseItem,
    ChaseRecord,
    RequestDocument,
    ServiceRequest,
    TimelineEntry,
    Visit,
)
from ..permissions import is_agent_of
from ..uploads import sniff, store_document
from ..workflows import ITEM, REQUEST, item_url, tell_applicant

I = CaseItem.State  # noqa: E741


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
        raise NotYourStep(_("Only an agent of this request records visits."))
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
    record(actor=by, verb=AuditVerb.VISIT_RECORDED, target=visit, after=after)
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
    item = ITEM.lock(item)
    if not is_agent_of(by, item):
        raise NotYourStep(_("Only the item's agent records chases."))
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
        verb=AuditVerb.ITEM_CHASED,
        text=f"{item.approval_item.name}：{department.short_name or department.name}{told}",
    )
    after = {"department": department.pk, "how": how, "shared": shared}
    record(actor=by, verb=AuditVerb.ITEM_CHASED, target=chase, after=after)
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
