"""A request's 预排工期, computed on demand from its items, the catalogue and what already happened."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.catalogue.models import ItemPrerequisite
from daiban.common.stages import Stage
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.selectors import calendar_for

from .construction import default_period
from .engine import Milestone, Plan, PlanItem, schedule
from .models import ConstructionPeriod, PlanAdjustment, PlanMilestone

PERMIT_CODE = "construction-permit"
ASSUMED_YEARS_AT_MOST = 2  # a plan reaching further than that into unknown years is not a plan


@dataclass
class PlanRow:
    key: str
    name: str
    planned_start: dt.date
    planned_finish: dt.date
    start: dt.date
    finish: dt.date
    actual: bool
    deviation_days: int  # working days later (+) or earlier (−) than planned
    slack_days: int
    critical: bool
    reasons: list[str]
    prerequisites: list[str]
    violations: list[str]
    case_item_id: int
    adjusted_on: dt.date | None
    offset_pct: float
    width_pct: float


@dataclass
class PlanTask:
    """One line of the plan's task list: what to prepare, who prepares it, by when."""

    due_on: dt.date
    item: str
    material: str
    responsible: str
    tolerable: bool


@dataclass(frozen=True)
class ConstructionSpan:
    """The construction period the plan uses between the permit and completion acceptance."""

    days: int
    default_days: int
    source: str
    to_confirm: bool
    edited: bool  # the agent set it for this request


@dataclass
class RequestPlan:
    rows: list[PlanRow]
    start_on: dt.date
    finish_on: dt.date
    planned_finish_on: dt.date
    permit_on: dt.date | None
    planned_permit_on: dt.date | None
    tasks: list[PlanTask]
    # Years the plan reaches whose holiday schedule is not entered: counted Monday to Friday.
    assumed_years: list[int] = field(default_factory=list)
    # None when the request has no construction permit or no completion-acceptance item to separate.
    construction: ConstructionSpan | None = None

    @property
    def permit_slips(self) -> bool:
        return bool(self.permit_on and self.planned_permit_on and self.permit_on > self.planned_permit_on)


def plan_for_request(request: ServiceRequest) -> RequestPlan:
    items = list(
        request.items.select_related("approval_item", "agent")
        .prefetch_related("approval_item__materials")
        .order_by("position", "id")
    )
    codes = {i.approval_item_id: i.approval_item.code for i in items}
    links = ItemPrerequisite.objects.filter(item_id__in=codes, prerequisite_id__in=codes).values_list(
        "item_id", "prerequisite_id"
    )
    prerequisites: dict[str, list[str]] = {}
    for item_id, prerequisite_id in links:
        prerequisites.setdefault(codes[item_id], []).append(codes[prerequisite_id])
    start_on = timezone.localdate(request.submitted_at)
    calendar = calendar_for(request.jurisdiction.code)
    adjustments = {
        a.case_item_id: a.start_on for a in PlanAdjustment.objects.filter(case_item__request=request)
    }
    code_of = {i.pk: i.approval_item.code for i in items}
    milestones = [
        Milestone(
            key=f"m{m.pk}",
            name=m.name,
            before=tuple(code_of[i.pk] for i in m.before_items.all() if i.pk in code_of),
            on=m.on,
            after_item=code_of.get(m.after_item_id) if m.after_item_id else None,
            after_days=m.after_days,
        )
        for m in PlanMilestone.objects.filter(request=request).prefetch_related("before_items")
    ]
    construction = _construction_span(request, items)
    if construction is not None:
        # Completion acceptance waits for the building to be built: without this span the plan put
        # 竣工验收备案 a few working days after 施工许可.
        milestones.append(
            Milestone(
                key="construction",
                name=_("Construction period"),
                before=tuple(
                    i.approval_item.code
                    for i in items
                    if i.approval_item.stage == Stage.COMPLETION_ACCEPTANCE
                ),
                after_item=PERMIT_CODE,
                after_days=construction.days,
            )
        )

    def plan_items(with_actuals: bool) -> list[PlanItem]:
        return [
            PlanItem(
                key=i.approval_item.code,
                name=i.approval_item.name,
                limit_days=i.time_limit_days,
                prerequisites=tuple(sorted(prerequisites.get(i.approval_item.code, []))),
                fixed_start_on=adjustments.get(i.pk),
                filed_on=i.filed_on if with_actuals else None,
                decided_on=i.decided_on if with_actuals else None,
            )
            for i in items
        ]

    known_years = calendar.years
    for _attempt in range(ASSUMED_YEARS_AT_MOST + 1):
        try:
            planned: Plan = schedule(
                calendar=calendar, start_on=start_on, items=plan_items(False), milestones=milestones
            )
            current: Plan = schedule(
                calendar=calendar, start_on=start_on, items=plan_items(True), milestones=milestones
            )
            break
        except CalendarYearUnknown as exc:
            # A plan crossing into a year whose holidays are not entered yet (every plan made in
            # December) is planned on weekdays there, and says so, instead of not at all.
            if exc.year < min(known_years) or len(calendar.years - known_years) >= ASSUMED_YEARS_AT_MOST:
                raise
            calendar = calendar.assuming_weekdays_through(exc.year)
    else:  # pragma: no cover - the loop always breaks or raises
        raise AssertionError("unreachable")
    span = (current.finish_on - start_on).days + 1  # calendar days the chart covers, both ends included
    rows = []
    for item in items:
        key = item.approval_item.code
        now, then = current.items[key], planned.items[key]
        rows.append(
            PlanRow(
                key=key,
                name=now.name,
                planned_start=then.start_on,
                planned_finish=then.finish_on,
                start=now.start_on,
                finish=now.finish_on,
                actual=item.filed_on is not None,
                deviation_days=calendar.working_days_between(then.finish_on, now.finish_on),
                slack_days=now.slack_days,
                critical=now.critical,
                reasons=now.reasons,
                violations=now.violations,
                prerequisites=sorted(prerequisites.get(key, [])),
                case_item_id=item.pk,
                adjusted_on=adjustments.get(item.pk),
                offset_pct=round(100 * (now.start_on - start_on).days / span, 2),
                width_pct=max(round(100 * ((now.finish_on - now.start_on).days + 1) / span, 2), 1.0),  # ≤ 100
            )
        )
    rows.sort(key=lambda r: (r.start, r.finish))
    applicant = request.applicant.name
    tasks = [
        PlanTask(
            due_on=current.items[i.approval_item.code].start_on,
            item=i.approval_item.name,
            material=m.name,
            responsible=applicant
            if request.mode == request.Mode.ASSIST or i.agent is None
            else f"{applicant} / {i.agent.display_name}",
            tolerable=not m.is_key,
        )
        for i in items
        if i.filed_on is None
        for m in i.approval_item.materials.all()
    ]
    tasks.sort(key=lambda t: (t.due_on, t.item))
    permit = current.items.get(PERMIT_CODE)
    planned_permit = planned.items.get(PERMIT_CODE)
    return RequestPlan(
        rows=rows,
        start_on=start_on,
        finish_on=current.finish_on,
        planned_finish_on=planned.finish_on,
        permit_on=permit.finish_on if permit else None,
        planned_permit_on=planned_permit.finish_on if planned_permit else None,
        tasks=tasks,
        assumed_years=sorted(calendar.years - known_years),
        construction=construction,
    )


def _construction_span(request: ServiceRequest, items: list[CaseItem]) -> ConstructionSpan | None:
    stages = {i.approval_item.stage for i in items}
    if PERMIT_CODE not in {i.approval_item.code for i in items} or Stage.COMPLETION_ACCEPTANCE not in stages:
        return None
    default = default_period(request.project.kind)
    chosen = ConstructionPeriod.objects.filter(request=request).values_list("days", flat=True).first()
    return ConstructionSpan(
        days=chosen or default.days,
        default_days=default.days,
        source=default.source,
        to_confirm=default.to_confirm,
        edited=chosen is not None,
    )
