"""The proxy chain for one item, up to pick-up: collect materials (checklist, 容缺), file, review with
corrections and special procedures (clock stops), decide. Every step locks the request and then the item
(`ITEM.lock`), so steps on one item run one after the other; each state change goes through `ITEM.apply`
(check, save, timeline, audit, notifications — one transaction; ADR 0012). Clock stops and checklist lines
are checked and written under the same lock, and the database refuses a second open clock stop even if a
path forgot. The stored deadline is rewritten by each step that changes its inputs
(`deadlines.refresh_due_on`)."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.common.validators import validate_not_in_future
from daiban.common.workflow import NotYourStep
from daiban.organizations.models import User
from daiban.projects.services import record_project_code
from daiban.projects.validators import CODE_ISSUING_ITEMS

from ..deadlines import refresh_due_on
from ..models import (
    CHECKLIST_OPEN_STATES,
    HANDLING_STATES,
    CaseItem,
    ClockStop,
    ItemMaterial,
    TimelineEntry,
)
from ..permissions import is_agent_of, is_reviewer_of
from ..reminders import alert_unstaffed
from ..workflows import ITEM
from .requests import complete_request_if_done

RECEIPT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,39}$")
I = CaseItem.State  # noqa: E741
REVIEWING = frozenset({I.FILED, I.UNDER_REVIEW, I.RESUBMITTED})


def _open_stop(item: CaseItem) -> ClockStop | None:
    return item.stops.filter(end_on__isnull=True).first()


@transaction.atomic
def start_collecting(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    return ITEM.apply(ITEM.lock(item), "start_collecting", by=by, expected_version=expected_version)


@transaction.atomic
def update_checklist_line(
    *, line: ItemMaterial, status: str, promised_on: dt.date | None, note: str, by: User
) -> ItemMaterial:
    """上门受理: mark one material received, missing, to be corrected, or (non-key only) promised later.

    Runs under the item's lock, so marking the item ready never sees half of a checklist change."""
    item = ITEM.lock(line.case_item)
    line = item.checklist.select_related("material").get(pk=line.pk)
    if not is_agent_of(by, item):
        raise NotYourStep(_("Only the item's agent keeps its checklist."))
    follow_up = item.state not in CHECKLIST_OPEN_STATES
    if follow_up and not (
        line.status == ItemMaterial.Status.PROMISED
        and status in {ItemMaterial.Status.PROMISED, ItemMaterial.Status.RECEIVED}
        and item.request.state in HANDLING_STATES
    ):
        raise ValidationError(
            _(
                "The checklist is closed once the item is filed (reopened for corrections); "
                "only a promised (容缺) material can still be marked received."
            )
        )
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
        verb=AuditVerb.CHECKLIST_UPDATED,
        target=line,
        before=before,
        after={"status": status, "promised_on": str(promised_on or "")},
    )
    if follow_up and status == ItemMaterial.Status.RECEIVED:
        complete_request_if_done(request=item.request, by=by)  # the last 容缺 material may close it
    return line


@dataclass(frozen=True)
class LineChange:
    line: ItemMaterial
    status: str
    promised_on: dt.date | None
    note: str


@transaction.atomic
def update_checklist(*, item: CaseItem, changes: Sequence[LineChange], by: User) -> int:
    """The whole checklist saved in one step (one form, or 全部收齐): each changed line through
    `update_checklist_line`, all or nothing — a line that cannot take its change stops the step, naming the
    material, and no line is changed. Returns how many lines changed."""
    changed = 0
    for change in changes:
        line = change.line
        if line.case_item_id != item.pk:
            raise ValidationError(_("A checklist line of another item was sent."))
        note = change.note.strip()[:255]
        if (line.status, line.promised_on, line.note) == (change.status, change.promised_on, note):
            continue
        try:
            update_checklist_line(
                line=line, status=change.status, promised_on=change.promised_on, note=note, by=by
            )
        except NotYourStep:  # someone else's step: refused as such (403), not as bad input
            raise
        except ValidationError as exc:
            raise ValidationError(
                _("%(material)s: %(problem)s Nothing was saved.")
                % {"material": line.material.name, "problem": " ".join(exc.messages)}
            ) from exc
        changed += 1
    return changed


@transaction.atomic
def mark_ready(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    item = ITEM.lock(item)
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
    item = ITEM.lock(item)
    ref = external_ref.strip()
    if not RECEIPT_RE.match(ref):
        raise ValidationError({"external_ref": _("The receipt number has 6–40 letters, digits or dashes.")})
    validate_not_in_future(filed_on, field="filed_on")
    if filed_on < timezone.localdate(item.request.submitted_at):
        raise ValidationError({"filed_on": _("An item cannot be filed before the request was submitted.")})
    changes = {"external_ref": ref, "filed_on": filed_on}
    item = ITEM.apply(item, "file", by=by, expected_version=expected_version, changes=changes, note=ref)
    alert_unstaffed(CaseItem.objects.filter(pk=item.pk))  # filed for a section without a reviewer
    return refresh_due_on(item)


@transaction.atomic
def start_review(*, item: CaseItem, by: User, expected_version: int) -> CaseItem:
    return ITEM.apply(ITEM.lock(item), "start_review", by=by, expected_version=expected_version)


@transaction.atomic
def request_correction(
    *, item: CaseItem, on: dt.date, note: str, by: User, expected_version: int
) -> CaseItem:
    """补正: the clock stops from `on` until the applicant's corrected materials are resubmitted."""
    item = ITEM.lock(item)
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
    return refresh_due_on(item)


@transaction.atomic
def resubmit(*, item: CaseItem, on: dt.date, by: User, expected_version: int) -> CaseItem:
    item = ITEM.lock(item)
    validate_not_in_future(on, field="on")
    stop = item.stops.filter(kind=ClockStop.Kind.CORRECTION, end_on__isnull=True).first()
    if stop is not None and on < stop.start_on:
        raise ValidationError({"on": _("The resubmission cannot be before the correction was requested.")})
    item = ITEM.apply(item, "resubmit", by=by, expected_version=expected_version)
    if stop is not None:
        stop.end_on = on
        stop.save(update_fields=["end_on"])
    return refresh_due_on(item)


def _check_reviewer(item: CaseItem, by: User) -> None:
    if not is_reviewer_of(by, item):
        raise NotYourStep(_("Only the department's section reviewer records special procedures."))


@transaction.atomic
def start_special_procedure(
    *, item: CaseItem, kind: str, start_on: dt.date, note: str, by: User
) -> ClockStop:
    """公示, 专家评审, 听证: by law these days do not count. One stop at a time, checked under the item's lock
    (and refused by the database besides)."""
    item = ITEM.lock(item)
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
    refresh_due_on(item)
    _clock_history(item, stop, AuditVerb.ITEM_CLOCK_STOPPED, by)
    record(
        actor=by,
        verb=AuditVerb.ITEM_CLOCK_STOPPED,
        target=stop,
        after={"kind": kind, "start_on": str(start_on)},
    )
    return stop


@transaction.atomic
def end_special_procedure(*, stop: ClockStop, end_on: dt.date, by: User) -> ClockStop:
    item = ITEM.lock(stop.case_item)
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
    refresh_due_on(item)
    _clock_history(item, stop, AuditVerb.ITEM_CLOCK_RESUMED, by)
    record(actor=by, verb=AuditVerb.ITEM_CLOCK_RESUMED, target=stop, after={"end_on": str(end_on)})
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
    item: CaseItem,
    action: str,
    *,
    decided_on: dt.date,
    by: User,
    expected_version: int,
    note: str,
    result_number: str = "",
) -> CaseItem:
    validate_not_in_future(decided_on, field="decided_on")
    if item.filed_on is not None and decided_on < item.filed_on:
        raise ValidationError({"decided_on": _("A decision cannot come before the filing.")})
    if _open_stop(item) is not None:
        raise ValidationError(_("A clock stop is still open; end it before deciding."))
    changes: dict[str, object] = {"decided_on": decided_on}
    if result_number:
        changes["result_number"] = result_number
    return ITEM.apply(item, action, by=by, expected_version=expected_version, changes=changes, note=note)


def issues_project_code(item: CaseItem) -> bool:
    """Approving this item records the project's code: the 备案/核准 of a project still without one."""
    return item.approval_item.code in CODE_ISSUING_ITEMS and not item.request.project.project_code


RESULT_NUMBER = re.compile(r"[0-9A-Za-z\u4e00-\u9fff\-/()（）〔〕\[\]【】第号字. ]{2,60}")


@transaction.atomic
def approve(
    *,
    item: CaseItem,
    decided_on: dt.date,
    by: User,
    expected_version: int,
    result_number: str = "",
    project_code: str = "",
) -> CaseItem:
    """批准, with the number of the certificate or written decision when the reviewer gives it (the page
    asks for it; callers recording history without one may leave it out). Approving the filing or
    approval (备案/核准) of a project that has no code yet records the code the platform issued, which is
    then required."""
    number = result_number.strip()
    if number and not RESULT_NUMBER.fullmatch(number):
        raise ValidationError(
            {
                "result_number": _(
                    "A certificate number is 2 to 60 letters, digits, Chinese characters or -/()〔〕."
                )
            }
        )
    item = ITEM.lock(item)
    project = item.request.project
    issues_code = issues_project_code(item)
    if issues_code and not project_code.strip():
        raise ValidationError(
            {"project_code": _("Enter the project code the platform issued with this filing or approval.")}
        )
    if project_code.strip() and not issues_code:
        raise ValidationError(
            {"project_code": _("Only the filing or approval of a project without a code records one.")}
        )
    item = _decide(
        item,
        "approve",
        decided_on=decided_on,
        by=by,
        expected_version=expected_version,
        note=number,
        result_number=number,
    )
    if issues_code:
        record_project_code(project=project, project_code=project_code, by=by)
    return item


@transaction.atomic
def refuse(*, item: CaseItem, decided_on: dt.date, reason: str, by: User, expected_version: int) -> CaseItem:
    if len(reason.strip()) < 4:
        raise ValidationError({"reason": _("Give the legal reason for refusing.")})
    item = _decide(
        ITEM.lock(item),
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
    item = ITEM.lock(item)
    validate_not_in_future(on, field="on")
    if item.decided_on is not None and on < item.decided_on:
        raise ValidationError({"on": _("A result cannot be picked up before it was decided.")})
    return ITEM.apply(item, "pick_up", by=by, expected_version=expected_version, changes={"picked_up_on": on})
