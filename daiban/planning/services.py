"""Editing a request's plan: the applicant's milestones and the agent's own dates. Each write is audited;
the plan itself is recomputed from these on every view."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.common.audit import AuditVerb, record
from daiban.common.workflow import NotYourStep
from daiban.organizations.auth import Viewer
from daiban.organizations.models import User

from .construction import MAX_DAYS, default_period
from .models import ConstructionPeriod, PlanAdjustment, PlanMilestone


def may_edit_plan(user: Viewer, request: ServiceRequest) -> bool:
    """The request's agents keep its plan (they agree it with the applicant)."""
    return request.items.filter(agent_id=user.pk).exists()


@transaction.atomic
def add_milestone(
    *,
    request: ServiceRequest,
    name: str,
    on: dt.date | None,
    after_item: CaseItem | None,
    after_days: int,
    before_items: Sequence[CaseItem],
    by: User,
) -> PlanMilestone:
    if not may_edit_plan(by, request):
        raise NotYourStep(_("Only an agent of this request edits its plan."))
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Name the milestone.")
    if (on is None) == (after_item is None):
        errors["on"] = _("Give either a date or the item it follows.")
    if after_item is not None and after_item.request_id != request.pk:
        errors["after_item"] = _("That item belongs to another request.")
    if not before_items:
        errors["before_items"] = _("Choose the items that wait for it.")
    elif any(i.request_id != request.pk for i in before_items):
        errors["before_items"] = _("That item belongs to another request.")
    elif after_item is not None and after_item in before_items:
        errors["before_items"] = _("An item cannot wait for a milestone that follows itself.")
    if after_days < 0 or after_days > 3650:
        errors["after_days"] = _("Between 0 and 3650 days.")
    if errors:
        raise ValidationError(errors)
    milestone = PlanMilestone.objects.create(
        request=request,
        name=name.strip()[:100],
        on=on,
        after_item=after_item,
        after_days=after_days,
        created_by=by,
    )
    milestone.before_items.set(before_items)
    record(
        actor=by,
        verb=AuditVerb.PLAN_MILESTONE_ADDED,
        target=milestone,
        after={
            "name": milestone.name,
            "on": str(on or ""),
            "after_item": getattr(after_item, "pk", None),
            "after_days": after_days,
            "before": [i.pk for i in before_items],
        },
    )
    return milestone


@transaction.atomic
def remove_milestone(*, milestone: PlanMilestone, by: User) -> None:
    if not may_edit_plan(by, milestone.request):
        raise NotYourStep(_("Only an agent of this request edits its plan."))
    record(
        actor=by,
        verb=AuditVerb.PLAN_MILESTONE_REMOVED,
        target=milestone,
        before={"name": milestone.name},
    )
    milestone.delete()


@transaction.atomic
def adjust_item(*, item: CaseItem, start_on: dt.date | None, note: str, by: User) -> PlanAdjustment | None:
    """Plan an item on a date of the agent's choosing (or clear it with None). A date that breaks a
    prerequisite is kept and flagged on the plan, so the agent sees the conflict instead of losing the
    input."""
    if item.agent_id != by.pk:
        raise NotYourStep(_("Only the item's agent plans its date."))
    if item.filed_on is not None:
        raise ValidationError(_("The item is already filed; its real dates count now."))
    current = PlanAdjustment.objects.filter(case_item=item).first()
    if start_on is None:
        if current is not None:
            current.delete()
        record(
            actor=by,
            verb=AuditVerb.PLAN_ADJUSTMENT_CLEARED,
            target=item,
        )
        return None
    adjustment, _created = PlanAdjustment.objects.update_or_create(
        case_item=item, defaults={"start_on": start_on, "note": note.strip()[:255], "by": by}
    )
    record(
        actor=by,
        verb=AuditVerb.PLAN_ITEM_ADJUSTED,
        target=item,
        before={"start_on": str(current.start_on) if current else ""},
        after={"start_on": str(start_on)},
    )
    return adjustment


@transaction.atomic
def set_construction_period(
    *, request: ServiceRequest, days: int | None, by: User
) -> ConstructionPeriod | None:
    """The request's construction period in calendar days, or None to go back to its construction type's
    default. Refused (nothing saved) outside 1…MAX_DAYS."""
    if not may_edit_plan(by, request):
        raise NotYourStep(_("Only an agent of this request edits its plan."))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("Between 1 and %(n)d days.") % {"n": MAX_DAYS}})
    current = ConstructionPeriod.objects.select_for_update().filter(request=request).first()
    before = {"days": current.days if current else None}
    default = default_period(request.project.kind).days
    if days is None:
        if current is not None:
            current.delete()
        period = None
    else:
        period, _created = ConstructionPeriod.objects.update_or_create(
            request=request, defaults={"days": days, "by": by}
        )
    record(
        actor=by,
        verb=AuditVerb.PLAN_CONSTRUCTION_PERIOD_CHANGED,
        target=request,
        before=before,
        after={"days": days, "default": default},
    )
    return period
