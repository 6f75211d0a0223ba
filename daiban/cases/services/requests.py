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
from daiban.projects.validators import CODE_ISSUING_ITEMS, normalize_project_code

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
from ..permissions import can_assign, decidable_items
from ..reminders import alert_unstaffed
from ..routing import route
from ..selectors import agent_units_for, coordinators_for
from ..uploads import sniff, store_document
from ..workflows import ACCEPTANCE, ITEM, REQUEST, promised_outstanding, representatives, request_url


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
    first = min(data.approval_items, key=lambda i: i.position, default=None)
    if not project.project_code and first is not None and first.code not in CODE_ISSUING_ITEMS:
        errors.setdefault("approval_items", []).append(
            _(
                "The project has no project code yet: its first item must be the project filing or approval "
                "(备案/核准), which issues the code."
            )
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
    routing = route(
        jurisdiction=project.jurisdiction, locality=project.location, items=list(data.approval_items)
    )
    year, number = _next_number(project.jurisdiction)
    request = ServiceRequest.objects.create(
        jurisdiction=project.jurisdiction,
        year=year,
        number=number,
        project=project,
        applicant=project.applicant,
        locality=project.location,
        locality_role=routing.locality_role,
        routing_policy=routing.policy,
        mode=data.mode,
        channel=channel,
        window=window,
        note=data.note.strip(),
        consent_at=timezone.now() if data.consent else None,
        submitted_by=by,
    )
    CaseItem.objects.bulk_create(
        frozen_case_item(request, item, routing.unit_for(item))
        for item in sorted(data.approval_items, key=lambda i: i.position)
    )
    ItemMaterial.objects.bulk_create(
        ItemMaterial(case_item=case_item, material=material)
        for case_item in request.items.select_related("approval_item")
        for material in case_item.approval_item.materials.all()
        if not material.replaced_by_commitment  # 告知承诺制: the commitment letter stands in for it
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
        after=snapshot(
            request, ["project", "mode", "channel", "window", "state", "routing_policy", "locality_role"]
        )
        | {
            "items": [i.code for i in data.approval_items],
            "responsible_units": {i.code: routing.unit_for(i).code for i in data.approval_items},
            "documents": len(mimes),
        },
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


def frozen_case_item(
    request: ServiceRequest, item: ApprovalItem, responsible_unit: Unit | None = None
) -> CaseItem:
    """A new case item with the terms of the catalogue version in force frozen on it (ADR 0015): what
    the item was promised when requested stays its promise, whatever later versions say. The responsible
    unit is the routing policy's answer (ADR 0022); without one, the item's department."""
    return CaseItem(
        request=request,
        approval_item=item,
        responsible_unit=responsible_unit or item.department,
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
    project = Project.objects.filter(jurisdiction=jurisdiction, project_code=code).first() if code else None
    if project is None:
        project = create_project(applicant=applicant, data=project_data, by=by)
    elif project.applicant_id != applicant.pk:
        raise ValidationError({"project_code": _("This project code belongs to another enterprise.")})
    return submit_request(
        project=project, data=data, by=by, channel=ServiceRequest.Channel.WINDOW, window=window
    )


def _check_reason(reason: str) -> str:
    if len(reason.strip()) < 4:
        raise ValidationError({"reason": _("Tell the applicant why, in a sentence.")})
    return reason.strip()


@transaction.atomic
def accept_item(*, item: CaseItem, by: User, expected_version: int | None = None) -> CaseItem:
    """受理 one item: a coordinator of its responsible unit takes it on (ADR 0022). The request is
    accepted once every item is decided and at least one accepted."""
    item = ACCEPTANCE.lock(item)
    changes = {"acceptance_by": by, "acceptance_at": timezone.now()}
    ACCEPTANCE.apply(item, "accept", by=by, changes=changes, expected_version=expected_version)
    _settle_acceptance(request=item.request, by=by)
    return item


@transaction.atomic
def decline_item(*, item: CaseItem, reason: str, by: User, expected_version: int | None = None) -> CaseItem:
    """不予受理 one item, with the reason the applicant reads. The request is declined when all are."""
    item = ACCEPTANCE.lock(item)
    ACCEPTANCE.check(item, "decline", by=by)
    reason = _check_reason(reason)
    changes = {"acceptance_by": by, "acceptance_at": timezone.now(), "decline_reason": reason}
    ACCEPTANCE.apply(item, "decline", by=by, changes=changes, note=reason, expected_version=expected_version)
    _settle_acceptance(request=item.request, by=by)
    return item


def _settle_acceptance(*, request: ServiceRequest, by: User) -> None:
    """The request follows its items: still waiting while one is undecided; accepted when at least one
    was accepted; declined (with the items' reasons) when all were declined."""
    request = _lock(request)
    if request.state != ServiceRequest.State.SUBMITTED:
        return
    decisions = list(request.items.select_related("approval_item").order_by("position", "id"))
    if any(i.acceptance == CaseItem.Acceptance.PENDING for i in decisions):
        return
    changes: dict[str, object] = {"decided_by": by, "decided_at": timezone.now()}
    if any(i.acceptance == CaseItem.Acceptance.ACCEPTED for i in decisions):
        REQUEST.apply(request, "accept", by=by, changes=changes)
        # an item of a unit without any agent: said now, not at 8:00
        alert_unstaffed(request.items.filter(acceptance=CaseItem.Acceptance.ACCEPTED))
        return
    if len({i.decline_reason for i in decisions}) == 1:  # one reason for all: say it once
        reasons = decisions[0].decline_reason
    else:
        reasons = "；".join(f"{i.approval_item.name}：{i.decline_reason}" for i in decisions)
    REQUEST.apply(request, "decline", by=by, changes=changes | {"decline_reason": reasons}, note=reasons)


def _my_items(request: ServiceRequest, by: User) -> list[CaseItem]:
    request = _lock(request)
    if request.state != ServiceRequest.State.SUBMITTED:
        REQUEST.check(request, "accept", by=by)  # raises: says the request's state
    items = decidable_items(by, request)
    if not items:
        raise NotYourStep(_("None of this request's items awaits a decision by your unit."))
    return items


@transaction.atomic
def accept_request(*, request: ServiceRequest, by: User) -> ServiceRequest:
    """Accept every item of the request awaiting `by`'s unit (the others stay with their own units)."""
    for item in _my_items(request, by):
        accept_item(item=item, by=by)
    return _lock(request)


@transaction.atomic
def decline_request(*, request: ServiceRequest, reason: str, by: User) -> ServiceRequest:
    """Decline every item of the request awaiting `by`'s unit, with one reason."""
    items = _my_items(request, by)
    reason = _check_reason(reason)
    for item in items:
        decline_item(item=item, reason=reason, by=by)
    return _lock(request)


@transaction.atomic
def withdraw_request(*, request: ServiceRequest, by: User, reason: str = "") -> ServiceRequest:
    """撤回: before acceptance at will; after it (while no item is decided) with a reason the agents read.
    The items stop with the request: their steps need a request being handled."""
    request = _lock(request)
    reason = reason.strip()
    if request.state != ServiceRequest.State.SUBMITTED and not reason:
        raise ValidationError({"reason": _("Say why you withdraw a request that is already being handled.")})
    return REQUEST.apply(request, "withdraw", by=by, note=reason[:500])


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
    if item.acceptance != CaseItem.Acceptance.ACCEPTED:
        raise ValidationError(_("This item was declined; it gets no agent."))
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
        and not request.items.filter(agent__isnull=True, acceptance=CaseItem.Acceptance.ACCEPTED).exists()
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
    if request.items.filter(acceptance=CaseItem.Acceptance.ACCEPTED).exclude(state__in=DONE_STATES).exists():
        return False
    promised = promised_outstanding(request)
    if promised:
        _remind_promised(request, promised)
        return False
    REQUEST.apply(request, "complete", by=by, changes={"completed_at": timezone.now()})
    return True


def _remind_promised(request: ServiceRequest, promised: Sequence[ItemMaterial]) -> None:
    """Every item is done but 容缺 materials are outstanding: the request waits (容缺待补) and each
    agent concerned is told which materials to collect before it can close."""
    by_agent: dict[User, list[str]] = {}
    for line in promised:
        agent = line.case_item.agent
        if agent is not None:
            by_agent.setdefault(agent, []).append(line.material.name)
    for agent, names in by_agent.items():
        notify(
            recipients=[agent],
            verb=AuditVerb.REQUEST_COMPLETION_DEFERRED,
            title=_("容缺待补: %(ref)s cannot close before the promised materials arrive")
            % {"ref": request.reference},
            body="、".join(names),
            url=request_url(request),
            jurisdiction_code=request.jurisdiction.code,
        )


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
