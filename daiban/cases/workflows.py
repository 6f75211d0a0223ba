"""The request's and the item's state graphs, registered with the workflow core (ADR 0012).

Request:
    submitted ──accept──► accepted ──dispatch──► dispatched ──complete──► completed
        │  └──decline──► declined
        └──withdraw──► withdrawn

Item:
    planned → collecting → ready → filed → under_review ⇄ correction_requested → resubmitted → …
                                     └──────────────► approved | refused ; approved → picked_up → delivered

Item acceptance (ADR 0022), a second graph on the item's `acceptance` column:
    pending ──accept──► accepted        pending ──decline──► declined
each decided by a coordinator of the item's own responsible unit while the request awaits acceptance. The
request follows: accepted once every item is decided and at least one accepted, declined when all are.

Who may take each move is an `Actor`: the item's agent works it; the department's section reviewer
records review progress and decisions; a coordinator of the item's responsible unit accepts or declines
it; the applicant withdraws the request; the request's acceptance or declining, dispatch and completion
follow from another person's step.
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daiban.common.audit import AuditVerb
from daiban.common.workflow import Actor, Move, Step, Workflow, follows_from_another_step, move
from daiban.notifications.services import notify
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role, User
from daiban.organizations.selectors import role_holders

from .models import (
    CLOCK_STATES,
    DECIDED_STATES,
    DONE_STATES,
    HANDLING_STATES,
    CaseItem,
    ItemMaterial,
    ServiceRequest,
    TimelineEntry,
)
from .permissions import can_decide_item, is_agent_of, is_representative, is_reviewer_of
from .selectors import agent_units_for, coordinators_for

S = ServiceRequest.State
I = CaseItem.State  # noqa: E741 - one letter keeps the tables readable on one screen
A = CaseItem.Acceptance


# Who ----------------------------------------------------------------------------------------------


def no_agent(item: CaseItem) -> str | None:
    """Why nobody records the agent's steps of this item: none assigned (and whether anyone could be)."""
    if item.agent_id is not None:
        return None
    unit = item.responsible_unit
    if not role_holders(Role.AGENT, unit_id__in=agent_units_for(item, item.request)).exists():
        return _(
            "Nobody can take this step: %(unit)s has no agent yet. The administrator gives someone the agent role."
        ) % {"unit": unit.name}
    return _("No agent is assigned to this item yet: a coordinator of %(unit)s assigns one.") % {
        "unit": unit.name
    }


def no_reviewer(item: CaseItem) -> str | None:
    """Why nobody records the review steps of this item: its department (section) has no reviewer."""
    approval = item.approval_item
    where_held: dict[str, object] = {"unit_id": approval.department_id}
    if approval.section_id is not None:
        where_held["section_id"] = approval.section_id
    if role_holders(Role.SECTION_REVIEWER, **where_held).exists():
        return None
    section = approval.section
    where = approval.department.name + (f" {section.name}" if section is not None else "")
    return _(
        "Nobody can take this step: %(where)s has no section reviewer. "
        "The administrator appoints one; until then the coordinators are alerted."
    ) % {"where": where}


def is_agent_or_self_filer(person: Viewer, item: CaseItem) -> bool:
    """帮办 (assist): the enterprise files, picks up and takes delivery itself with the agent's guidance;
    代办 (proxy): only the agent does."""
    return is_agent_of(person, item) or (
        item.request.mode == ServiceRequest.Mode.ASSIST and is_representative(person, item.request)
    )


def no_filer(item: CaseItem) -> str | None:
    return None if item.request.mode == ServiceRequest.Mode.ASSIST else no_agent(item)


def _deliverable(item: CaseItem) -> str | None:
    """An e-certificate is delivered straight from approval; a paper result is picked up first."""
    if item.state == I.APPROVED and not item.result_document.is_e_certificate:
        return _("The result is on paper: record its pick-up before its delivery.")
    return None


ITEM_COORDINATOR = Actor[CaseItem]("item_coordinator", can_decide_item)
APPLICANT = Actor[ServiceRequest]("applicant", is_representative)
AGENT = Actor[CaseItem]("agent", is_agent_of, no_agent)
REVIEWER = Actor[CaseItem]("section_reviewer", is_reviewer_of, no_reviewer)
FILER = Actor[CaseItem]("agent_or_assisted_applicant", is_agent_or_self_filer, no_filer)
SYSTEM = follows_from_another_step()


# Recording -----------------------------------------------------------------------------------------


def representatives(request: ServiceRequest) -> list[User]:
    return [link.user for link in request.applicant.representatives.select_related("user")]


def request_url(request: ServiceRequest) -> str:
    return reverse("cases:request_detail", args=[request.pk])


def item_url(item: CaseItem) -> str:
    return reverse("cases:item_detail", args=[item.request_id, item.pk])


def _request_history(step: Step[ServiceRequest]) -> None:
    TimelineEntry.objects.create(
        request=step.obj,
        by=step.by,
        verb=step.move.verb,
        from_state=step.before,
        to_state=step.after,
        text=step.note,
    )


def _item_history(step: Step[CaseItem]) -> None:
    item = step.obj
    TimelineEntry.objects.create(
        request=item.request,
        case_item=item,
        by=step.by,
        verb=step.move.verb,
        from_state=step.before,
        to_state=step.after,
        text=item.approval_item.name + (f"：{step.note}" if step.note else ""),
    )


def tell_applicant(request: ServiceRequest, verb: str, title: str, body: str = "", url: str = "") -> None:
    notify(
        recipients=representatives(request),
        verb=verb,
        title=title,
        body=body,
        url=url or request_url(request),
        jurisdiction_code=request.jurisdiction.code,
    )


def _accepted(step: Step[ServiceRequest]) -> None:
    request = step.obj
    tell_applicant(
        request,
        step.move.verb,
        _("Your request %(ref)s was accepted; agents are being assigned.") % {"ref": request.reference},
    )


def _declined(step: Step[ServiceRequest]) -> None:
    request = step.obj
    tell_applicant(
        request,
        step.move.verb,
        _("Your request %(ref)s was not accepted") % {"ref": request.reference},
        step.note,
    )


def _item_accepted(step: Step[CaseItem]) -> None:
    item = step.obj
    names = {"item": item.approval_item.name, "unit": item.responsible_unit.name}
    _tell_about_item(step, _("%(item)s was accepted by %(unit)s") % names)


def _item_declined(step: Step[CaseItem]) -> None:
    item = step.obj
    names = {"item": item.approval_item.name, "unit": item.responsible_unit.name}
    _tell_about_item(step, _("%(item)s was declined by %(unit)s") % names, step.note)


def _completed(step: Step[ServiceRequest]) -> None:
    request = step.obj
    tell_applicant(
        request,
        step.move.verb,
        _("Request %(ref)s is completed: please rate your agents") % {"ref": request.reference},
        _("Rate attitude, efficiency and integrity for each agent; one evaluation per agent."),
    )
    notify(
        recipients=role_holders(Role.HALL_MANAGER, jurisdiction=request.jurisdiction),
        verb=step.move.verb,
        title=_("To call back: %(project)s (%(ref)s) is completed")
        % {"project": request.project.name, "ref": request.reference},
        url=reverse("feedback:callback_list"),  # their queue: hall managers do not open requests themselves
        jurisdiction_code=request.jurisdiction.code,
    )


def _tell_about_item(step: Step[CaseItem], title: str, body: str = "") -> None:
    tell_applicant(step.obj.request, step.move.verb, title, body, url=item_url(step.obj))


def _filed(step: Step[CaseItem]) -> None:
    names = {"item": step.obj.approval_item.name, "ref": step.obj.external_ref}
    _tell_about_item(step, _("%(item)s was filed (receipt %(ref)s)") % names)


def _correction_requested(step: Step[CaseItem]) -> None:
    item = step.obj
    title = _("%(item)s needs corrected materials") % {"item": item.approval_item.name}
    _tell_about_item(step, title, step.note)
    if item.agent is not None:
        notify(
            recipients=[item.agent],
            verb=step.move.verb,
            title=_("Correction requested: %(item)s") % {"item": item.approval_item.name},
            body=step.note,
            url=item_url(item),
            jurisdiction_code=item.request.jurisdiction.code,
        )


def _approved(step: Step[CaseItem]) -> None:
    _tell_about_item(step, _("%(item)s was approved") % {"item": step.obj.approval_item.name})


def _refused(step: Step[CaseItem]) -> None:
    _tell_about_item(step, _("%(item)s was refused") % {"item": step.obj.approval_item.name}, step.note)


def _delivered(step: Step[CaseItem]) -> None:
    _tell_about_item(step, _("%(item)s: the result was delivered") % {"item": step.obj.approval_item.name})


# Guards and locks ------------------------------------------------------------------------------------


def _request_is_handled(item: CaseItem) -> str | None:
    if item.request.state not in HANDLING_STATES:
        return _("The request is not being handled.")
    if item.acceptance != A.ACCEPTED:
        return _("This item was not accepted; nobody handles it.")
    return None


def _request_awaits_acceptance(item: CaseItem) -> str | None:
    if item.request.state != S.SUBMITTED:
        return _("The request is no longer awaiting acceptance.")
    return None


def promised_outstanding(request: ServiceRequest) -> list[ItemMaterial]:
    """容缺待补: the materials accepted as deficient (容缺) that the applicant has not handed in yet."""
    return list(
        ItemMaterial.objects.filter(case_item__request=request, status=ItemMaterial.Status.PROMISED)
        .select_related("material", "case_item__approval_item", "case_item__agent")
        .order_by("promised_on", "id")
    )


def _completion_waits(request: ServiceRequest) -> str | None:
    """办结 (once every item is delivered or refused: `complete_request_if_done`) waits for every
    material promised under 容缺."""
    promised = promised_outstanding(request)
    if promised:
        return _("容缺待补: the promised material(s) %(names)s are still outstanding.") % {
            "names": "、".join(line.material.name for line in promised)
        }
    return None


def _withdrawal_possible(request: ServiceRequest) -> str | None:
    """After acceptance a request can still be withdrawn, but not once an item has been decided."""
    if request.items.filter(state__in=DECIDED_STATES).exists():
        return _("An item has already been decided; the request can no longer be withdrawn.")
    return None


def _withdrawn(step: Step[ServiceRequest]) -> None:
    """Withdrawn after acceptance: the agents and coordinators stop (the items' steps are closed by the
    request's state) and learn why."""
    request = step.obj
    if step.before == S.SUBMITTED:
        return
    people = {item.agent for item in request.items.select_related("agent") if item.agent is not None}
    people |= set(coordinators_for(request))
    notify(
        recipients=sorted(people, key=lambda u: u.pk),
        verb=step.move.verb,
        title=_("%(project)s (%(ref)s) was withdrawn by the applicant: stop handling its items")
        % {"project": request.project.name, "ref": request.reference},
        body=step.note,
        url=request_url(request),
        jurisdiction_code=request.jurisdiction.code,
    )


def lock_request_row(item: CaseItem) -> None:
    """Items lock their request first: every path takes the request's lock before an item's, so a step on
    an item and an assignment or completion of its request never wait on each other in a circle."""
    list(ServiceRequest.objects.select_for_update().filter(pk=item.request_id).values_list("pk"))


def lock_items_in_order(items: Iterable[CaseItem]) -> None:
    """For one transaction that steps several items (the API's batch of events, applied in the order the
    sender gave): take every lock up front, the requests first and then the items, each set in id order.
    Two such transactions then never hold one row the other waits for while waiting for one it holds (seen
    without it: two batches of one district deadlocked on their shared requests). Each step's own lock
    afterwards finds its rows already held."""
    items = list(items)
    request_ids = sorted({item.request_id for item in items})
    list(
        ServiceRequest.objects.select_for_update().filter(pk__in=request_ids).order_by("pk").values_list("pk")
    )
    item_ids = sorted({item.pk for item in items})
    list(CaseItem.objects.select_for_update().filter(pk__in=item_ids).order_by("pk").values_list("pk"))


# The graphs -----------------------------------------------------------------------------------------

REQUEST_MOVES: tuple[Move[ServiceRequest], ...] = (
        move("accept",   {S.SUBMITTED},  S.ACCEPTED,   SYSTEM,                  AuditVerb.REQUEST_ACCEPTED,   gettext_lazy("accept")),
        move("decline",  {S.SUBMITTED},  S.DECLINED,   SYSTEM,                  AuditVerb.REQUEST_DECLINED,   gettext_lazy("decline")),
        move("withdraw", {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED}, S.WITHDRAWN,  APPLICANT,               AuditVerb.REQUEST_WITHDRAWN,  gettext_lazy("withdraw"),
             gettext_lazy("Only the applicant can withdraw its request.")),
        move("dispatch", {S.ACCEPTED},   S.DISPATCHED, SYSTEM,                  AuditVerb.REQUEST_DISPATCHED, gettext_lazy("dispatch")),
        move("complete", {S.DISPATCHED}, S.COMPLETED,  SYSTEM,                  AuditVerb.REQUEST_COMPLETED,  gettext_lazy("completed")),
)  # fmt: skip

REQUEST = Workflow[ServiceRequest](
    name="request",
    model=ServiceRequest,
    moves=REQUEST_MOVES,
    refused_in_state=gettext_lazy("This request is “%(state)s”; it cannot be %(action)s now."),
    refused_actor=gettext_lazy("You are not the one who records this step."),
    stale=gettext_lazy("Someone else changed this request meanwhile; reload the page and try again."),
    terminal=frozenset({S.COMPLETED, S.DECLINED, S.WITHDRAWN}),
    lock_related=("jurisdiction", "locality", "applicant", "project"),
    history=_request_history,
    action_guards={"complete": _completion_waits, "withdraw": _withdrawal_possible},
    announce={"accept": _accepted, "decline": _declined, "withdraw": _withdrawn, "complete": _completed},
)

_REVIEWING = {I.FILED, I.UNDER_REVIEW, I.RESUBMITTED}

ITEM_MOVES: tuple[Move[CaseItem], ...] = (
        move("start_collecting",   {I.PLANNED},             I.COLLECTING,           AGENT,    AuditVerb.ITEM_COLLECTION_STARTED, gettext_lazy("Start collecting materials")),
        move("mark_ready",         {I.COLLECTING},          I.READY,                AGENT,    AuditVerb.ITEM_MATERIALS_COMPLETED,       gettext_lazy("Materials complete: ready to file")),
        move("file",               {I.READY},               I.FILED,                FILER,    AuditVerb.ITEM_FILED,              gettext_lazy("Record filing")),
        move("start_review",       {I.FILED, I.RESUBMITTED}, I.UNDER_REVIEW,        REVIEWER, AuditVerb.ITEM_REVIEW_STARTED,     gettext_lazy("Start review")),
        move("request_correction", _REVIEWING,              I.CORRECTION_REQUESTED, REVIEWER, AuditVerb.ITEM_CORRECTION_REQUESTED, gettext_lazy("Request correction")),
        move("resubmit",           {I.CORRECTION_REQUESTED}, I.RESUBMITTED,         AGENT,    AuditVerb.ITEM_RESUBMITTED,        gettext_lazy("Record resubmission")),
        move("approve",            _REVIEWING,              I.APPROVED,             REVIEWER, AuditVerb.ITEM_APPROVED,           gettext_lazy("Approve")),
        move("refuse",             _REVIEWING,              I.REFUSED,              REVIEWER, AuditVerb.ITEM_REFUSED,            gettext_lazy("Refuse")),
        move("pick_up",            {I.APPROVED},            I.PICKED_UP,            FILER,    AuditVerb.ITEM_PICKED_UP,          gettext_lazy("Record pick-up")),
        move("deliver",            {I.APPROVED, I.PICKED_UP}, I.DELIVERED,          FILER,    AuditVerb.ITEM_DELIVERED,          gettext_lazy("Record delivery")),
)  # fmt: skip

ITEM = Workflow[CaseItem](
    name="item",
    model=CaseItem,
    moves=ITEM_MOVES,
    refused_in_state=gettext_lazy("This item is “%(state)s”; “%(action)s” is not possible now."),
    refused_actor=gettext_lazy("You are not the one who records this step for this item."),
    stale=gettext_lazy("Someone else changed this item meanwhile; reload the page and try again."),
    version_field="version",
    terminal=DONE_STATES,
    clock_running=CLOCK_STATES,
    lock_related=(
        "request__jurisdiction",
        "request__applicant",
        "request__project",
        "approval_item",
        "result_document",
        "agent",
    ),
    lock_parent=lock_request_row,
    guard=_request_is_handled,
    action_guards={"deliver": _deliverable},
    history=_item_history,
    announce={
        "file": _filed,
        "request_correction": _correction_requested,
        "approve": _approved,
        "refuse": _refused,
        "deliver": _delivered,
    },
)

ACCEPTANCE_MOVES: tuple[Move[CaseItem], ...] = (
        move("accept",  {A.PENDING}, A.ACCEPTED, ITEM_COORDINATOR, AuditVerb.ITEM_ACCEPTED, gettext_lazy("accept"),
             gettext_lazy("Only a coordinator of the item's responsible unit can accept it.")),
        move("decline", {A.PENDING}, A.DECLINED, ITEM_COORDINATOR, AuditVerb.ITEM_DECLINED, gettext_lazy("decline"),
             gettext_lazy("Only a coordinator of the item's responsible unit can decline it.")),
)  # fmt: skip

ACCEPTANCE = Workflow[CaseItem](
    name="item_acceptance",
    model=CaseItem,
    moves=ACCEPTANCE_MOVES,
    state_field="acceptance",
    refused_in_state=gettext_lazy("This item is “%(state)s”; it cannot be %(action)s now."),
    refused_actor=gettext_lazy("You are not the one who records this step for this item."),
    stale=gettext_lazy("Someone else changed this item meanwhile; reload the page and try again."),
    version_field="version",
    terminal=frozenset({A.ACCEPTED, A.DECLINED}),
    lock_related=(*ITEM.lock_related, "responsible_unit"),
    lock_parent=lock_request_row,
    guard=_request_awaits_acceptance,
    history=_item_history,
    announce={"accept": _item_accepted, "decline": _item_declined},
)
