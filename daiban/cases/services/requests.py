"""Writes to requests: submission (online or at a window), acceptance, declining, withdrawal, agent
assignment and completion. State changes go through `REQUEST.apply` (ADR 0012): lock, check, save,
timeline, audit and notifications in one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.catalogue.models import ApprovalItem
from daiban.common.audit import AuditVerb, record, snapshot
from daiban.common.workflow import NotYourStep
from daiban.notifications.services import notify
from daiban.organizations.models import Jurisdiction, Role, Unit, User, Window
from daiban.organizations.selectors import active_roles
from daiban.projects.models import Applicant, Project
from daiban.projects.services import ApplicantData, ProjectData, create_project, register_applicant
from daiban.projects.validators import normalize_project_code

from ..models import (
    DONE_STATES,
    HANDLING_STATES,
    OPEN_STATES,
    CaseItem,
    ItemAssignment,
    ItemMaterial,
    RequestCounter,
    ServiceRequest,
    TimelineEntry,
)
from ..permissions import can_assign
from ..selectors import agent_units_for, coordinators_for
from ..uploads import sniff, store_document
from ..workflows import ITEM, REQUEST, representatives, request_url


def _lock(request: ServiceRequest) -> ServiceRequest:
    """Re-read the request under a row lock so two coordinators never overwrite each other."""
    return REQUEST.lock(request)


@dataclass(frozen=True)
class RequestData:
    mode: str
    approval_items: Sequence[ApprovalItem]
    consent: bool
    free_of_charge_acknowledged: bool
    note: str = ""
    documents: Sequence[UploadedFile] = ()


def _check_request(project: Project, data: RequestData) -> list[str]:
    """Validate everything before anything is written; returns the files' sniffed types."""
    errors: dict[str, list[str]] = {}
    if data.mode not in ServiceRequest.Mode.values:
        errors.setdefault("mode", []).append(_("Choose assist or proxy."))
    if not data.approval_items:
        errors.setdefault("approval_items", []).append(_("Choose at least one approval item."))
    foreign = [
        i.name for i in data.approval_items if i.jurisdiction_id != project.jurisdiction_id or not i.is_active
    ]
    if foreign:
        errors.setdefault("approval_items", []).append(
            _("These items are not offered where the project is: %(items)s") % {"items": "、".join(foreign)}
        )
    busy = (  # by code: an open request may hold the same entry of an earlier catalogue version
        CaseItem.objects.filter(request__project=project, request__state__in=OPEN_STATES)
        .filter(approval_item__code__in=[i.code for i in data.approval_items])
        .select_related("approval_item")
    )
    if busy:
        errors.setdefault("approval_items", []).append(
            _("An open request already covers: %(items)s")
            % {"items": "、".join(c.approval_item.name for c in busy)}
        )
    if data.mode == ServiceRequest.Mode.PROXY and not data.consent:
        errors.setdefault("consent", []).append(_("Proxy handling needs the applicant's consent."))
    if not data.free_of_charge_acknowledged:
        errors.setdefault("free_of_charge_acknowledged", []).append(
            _("Please confirm the free-of-charge principle.")
        )
    mimes = []
    for upload in data.documents:
        try:
            mimes.append(sniff(upload))
        except ValidationError as exc:
            errors.setdefault("documents", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return mimes


@transaction.atomic
def submit_request(
    *, project: Project, data: RequestData, by: User, channel: str, window: Window | None = None
) -> ServiceRequest:
    """提交申请, online by the applicant or at a window by a clerk. All or nothing."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("location", "jurisdiction", "applicant")
        .get(pk=project.pk)
    )  # serialises two submissions for one project, so the duplicate check holds
    if channel == ServiceRequest.Channel.ONLINE:
        if window is not None or not project.applicant.representatives.filter(user=by).exists():
            raise NotYourStep(_("You can only apply for your own enterprise's projects."))
    elif channel == ServiceRequest.Channel.WINDOW:
        centres = {a.unit_id for a in active_roles(by) if a.role == Role.CLERK}
        if window is None or window.service_centre_id not in centres:
            raise ValidationError({"window": _("Choose a window of your own service centre.")})
        if window.service_centre.jurisdiction_id != project.jurisdiction_id:
            raise ValidationError({"window": _("The project is in another jurisdiction.")})
    else:
        raise ValidationError(_("Unknown channel."))
    mimes = _check_request(project, data)
    year, number = _next_number(project.jurisdiction)
    request = ServiceRequest.objects.create(
        jurisdiction=project.jurisdiction,
        year=year,
        number=number,
        project=project,
        applicant=project.applicant,
        locality=project.location,
        mode=data.mode,
        channel=channel,
        window=window,
        note=data.note.strip(),
        consent_at=timezone.now() if data.consent else None,
        submitted_by=by,
    )
    CaseItem.objects.bulk_create(
        frozen_case_item(request, item) for item in sorted(data.approval_items, key=lambda i: i.position)
    )
    ItemMaterial.objects.bulk_create(
        ItemMaterial(case_item=case_item, material=material)
        for case_item in request.items.select_related("approval_item")
        for material in case_item.approval_item.materials.all()
    )
    for upload, mime in zip(data.documents, mimes, strict=True):
        store_document(request=request, upload=upload, mime=mime, by=by)
    TimelineEntry.objects.create(
        request=request,
        by=by,
        verb=AuditVerb.REQUEST_SUBMITTED,
        to_state=request.state,
        text=_("%(count)s items, %(channel)s")
        % {"count": len(data.approval_items), "channel": request.get_channel_display()},
    )
    record(
        actor=by,
        verb=AuditVerb.REQUEST_SUBMITTED,
        target=request,
        after=snapshot(request, ["project", "mode", "channel", "window", "state"])
        | {"items": [i.code for i in data.approval_items], "documents": len(mimes)},
    )
    title = _("New %(mode)s request: %(project)s") % {
        "mode": request.get_mode_display(),
        "project": project.name,
    }
    notify(
        recipients=coordinators_for(request),
        verb=AuditVerb.REQUEST_SUBMITTED,
        title=title,
        url=request_url(request),
        jurisdiction_code=request.jurisdiction.code,
    )
    notify(
        recipients=representatives(request),
        verb=AuditVerb.REQUEST_SUBMITTED,
        title=_("We received your request %(ref)s") % {"ref": request.reference},
        url=request_url(request),
        jurisdiction_code=request.jurisdiction.code,
    )
    return request


def _next_number(jurisdiction: Jurisdiction) -> tuple[int, int]:
    """The next request number of the jurisdiction this (Chinese) year. The counter row is created if
    missing (a concurrent creator makes this a no-op) and then locked until the submission commits, so
    two submissions at once get consecutive numbers; a rolled-back submission gives its number back."""
    year = timezone.localdate().year
    counters = RequestCounter.objects.select_for_update().filter(jurisdiction=jurisdiction, year=year)
    counter = counters.first()
    if counter is None:  # the year's first request: whoever inserts second waits, then finds the row
        RequestCounter.objects.bulk_create(
            [RequestCounter(jurisdiction=jurisdiction, year=year)], ignore_conflicts=True
        )
        counter = counters.get()
    counter.last += 1
    counter.save(update_fields=["last"])
    return year, counter.last


def frozen_case_item(request: ServiceRequest, item: ApprovalItem) -> CaseItem:
    """A new case item with the terms of the catalogue version in force frozen on it (ADR 0015): what
    the item was promised when requested stays its promise, whatever later versions say."""
    in_park = request.locality.kind == Unit.Kind.PARK
    return CaseItem(
        request=request,
        approval_item=item,
        responsible_unit=request.locality if in_park else item.department,
        section=item.section,
        time_limit_days=item.time_limit_days,
        legal_time_limit_days=item.legal_time_limit_days,
        legal_time_limit_unit=item.legal_time_limit_unit,
        result_document=item.result_document,
        position=item.position,
    )


@transaction.atomic
def register_window_request(
    *, window: Window, applicant_data: ApplicantData, project_data: ProjectData, data: RequestData, by: User
) -> ServiceRequest:
    """窗口申请: a clerk registers a walk-in enterprise and project (or finds them) and submits for them."""
    jurisdiction = window.service_centre.jurisdiction
    applicant = Applicant.objects.filter(jurisdiction=jurisdiction, uscc=applicant_data.uscc).first()
    if applicant is None:
        applicant = register_applicant(jurisdiction=jurisdiction, data=applicant_data, by=by)
    code = normalize_project_code(project_data.project_code)
    project = Project.objects.filter(jurisdiction=jurisdiction, project_code=code).first()
    if project is None:
        project = create_project(applicant=applicant, data=project_data, by=by)
    elif project.applicant_id != applicant.pk:
        raise ValidationError({"project_code": _("This project code belongs to another enterprise.")})
    return submit_request(
        project=project, data=data, by=by, channel=ServiceRequest.Channel.WINDOW, window=window
    )


@transaction.atomic
def accept_request(*, request: ServiceRequest, by: User) -> ServiceRequest:
    request = _lock(request)
    changes = {"decided_by": by, "decided_at": timezone.now()}
    return REQUEST.apply(request, "accept", by=by, changes=changes)


@transaction.atomic
def decline_request(*, request: ServiceRequest, reason: str, by: User) -> ServiceRequest:
    request = _lock(request)
    REQUEST.check(request, "decline", by=by)
    if len(reason.strip()) < 4:
        raise ValidationError({"reason": _("Tell the applicant why, in a sentence.")})
    changes = {"decided_by": by, "decided_at": timezone.now(), "decline_reason": reason.strip()}
    return REQUEST.apply(request, "decline", by=by, changes=changes, note=reason.strip())


@transaction.atomic
def withdraw_request(*, request: ServiceRequest, by: User) -> ServiceRequest:
    return REQUEST.apply(_lock(request), "withdraw", by=by)


@transaction.atomic
def assign_agent(
    *, item: CaseItem, agent: User, by: User, reason: str = "", expected_agent_id: int | None = None
) -> CaseItem:
    """分发: put an agent on an item, or move it to another agent (with a reason).

    A reassignment is always explicit: when the item already has an agent, the caller must give a reason,
    and a page passes the agent it showed (`expected_agent_id`), so two coordinators assigning at once
    never overwrite each other silently — the second is told who was assigned meanwhile."""
    item = ITEM.lock(item)
    request = item.request
    if request.state not in HANDLING_STATES:
        raise ValidationError(_("Accept the request before assigning agents."))
    if not can_assign(by, item, request):
        raise NotYourStep(_("You do not coordinate this item."))
    eligible = agent_units_for(item, request)
    if not any(a.role == Role.AGENT and a.unit_id in eligible for a in active_roles(agent)):
        raise ValidationError({"agent": _("This person is not an agent of the item's responsible unit.")})
    previous = item.agent
    if expected_agent_id is not None and (previous.pk if previous else 0) != expected_agent_id:
        raise ValidationError(
            _("Meanwhile %(agent)s was assigned to this item; reload the page and try again.")
            % {"agent": previous.display_name if previous else _("nobody")}
        )
    if previous is not None:
        if previous.pk == agent.pk:
            raise ValidationError({"agent": _("This agent already handles the item.")})
        if len(reason.strip()) < 2:
            raise ValidationError(
                {
                    "reason": _("%(agent)s already handles this item; give the reason for the reassignment.")
                    % {"agent": previous.display_name}
                }
            )
        ItemAssignment.objects.filter(case_item=item, ended_at__isnull=True).update(ended_at=timezone.now())
    item.agent = agent
    item.save(update_fields=["agent"])
    ItemAssignment.objects.create(case_item=item, agent=agent, assigned_by=by, reason=reason.strip())
    verb = AuditVerb.ITEM_REASSIGNED if previous else AuditVerb.ITEM_ASSIGNED
    because = f"（{reason.strip()}）" if reason.strip() else ""
    moved = f"{previous.display_name} → " if previous else ""
    TimelineEntry.objects.create(
        request=request,
        case_item=item,
        by=by,
        verb=verb,
        text=f"{item.approval_item.name}：{moved}{agent.display_name}{because}",
    )
    record(
        actor=by,
        verb=verb,
        target=item,
        before={"agent": previous.pk if previous else None},
        after={"agent": agent.pk, "reason": reason.strip()},
    )
    _announce_assignment(item, request, agent=agent, previous=previous, verb=verb, reason=reason.strip())
    if (
        request.state == ServiceRequest.State.ACCEPTED
        and not request.items.filter(agent__isnull=True).exists()
    ):
        REQUEST.apply(request, "dispatch", by=by)
    return item


def _announce_assignment(
    item: CaseItem, request: ServiceRequest, *, agent: User, previous: User | None, verb: str, reason: str
) -> None:
    code = request.jurisdiction.code
    names = {"item": item.approval_item.name, "project": request.project.name}
    notify(
        recipients=[agent],
        verb=verb,
        title=_("New assignment: %(item)s for %(project)s") % names,
        url=request_url(request),
        jurisdiction_code=code,
    )
    if previous is not None:
        notify(
            recipients=[previous],
            verb=verb,
            title=_("%(item)s of %(project)s was moved to another agent") % names,
            body=reason,
            url="",
            jurisdiction_code=code,
        )
    notify(
        recipients=representatives(request),
        verb=verb,
        title=_("Your agent for %(item)s: %(agent)s %(mobile)s")
        % {"item": item.approval_item.name, "agent": agent.display_name, "mobile": agent.mobile},
        url=request_url(request),
        jurisdiction_code=code,
    )


def complete_request_if_done(*, request: ServiceRequest, by: User) -> bool:
    """办结: once every item is delivered or refused, the service is over and evaluation opens.

    Called inside the transaction of the item step that finished the last item (which holds the
    request's lock already)."""
    request = _lock(request)
    if request.state != ServiceRequest.State.DISPATCHED:
        return False
    if request.items.exclude(state__in=DONE_STATES).exists():
        return False
    REQUEST.apply(request, "complete", by=by, changes={"completed_at": timezone.now()})
    return True


@transaction.atomic
def assign_agent_to_items(
    *, items: Sequence[CaseItem], agent: User, by: User, reason: str = ""
) -> list[CaseItem]:
    """分发, several items at once: one agent on each of `items` (of one request), through `assign_agent`,
    all or nothing — the first item that cannot take the agent (not the agent's unit, not the coordinator's
    item, a reassignment without a reason) stops the whole step, naming the item, and nothing is assigned.
    Items the agent already handles are left as they are."""
    if not items:
        raise ValidationError({"items": _("Choose at least one item.")})
    if len({item.request_id for item in items}) > 1:
        raise ValidationError({"items": _("The items must belong to one request.")})
    done = []
    for item in sorted(items, key=lambda i: (i.position, i.pk)):
        if item.agent_id == agent.pk:
            continue
        try:
            done.append(assign_agent(item=item, agent=agent, by=by, reason=reason))
        except NotYourStep:  # someone else's step: refused as such (403), not as bad input
            raise
        except ValidationError as exc:
            raise ValidationError(
                _("%(item)s: %(problem)s Nothing was assigned.")
                % {"item": item.approval_item.name, "problem": " ".join(exc.messages)}
            ) from exc
    if not done:
        raise ValidationError({"agent": _("This agent already handles every chosen item.")})
    return done
