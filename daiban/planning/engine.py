"""预排工期: the scheduling core. Pure and typed — no ORM — so it is fast and testable on its own.

A plan is a set of approval items (each a committed limit in working days, prerequisites, and the working
days the applicant needs to prepare its materials) and milestones of the applicant (a known date, or a
span after an item, such as the construction period before completion acceptance). The forward pass gives
each item its earliest filing date and decision date; the backward pass gives the slack and the critical
path. Every date comes with the reason it is what it is.

Conventions (docs/adr/0008):
- An item filed on day S with a limit of N working days is decided on the N-th working day after S
  (the working-day engine's convention: the day after filing is day 1).
- An item can be filed on the first working day after all of its prerequisites are decided, after its
  materials are ready (`lead_days` working days after the plan starts), and after its milestones.
- Independent items run in parallel (并联审批).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from daiban.workdays.engine import WorkCalendar


class PlanCycleError(ValueError):
    """The prerequisites form a loop; `cycle` lists it, first node repeated at the end."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__("prerequisites form a cycle: " + " → ".join(self.cycle))


class PlanInputError(ValueError):
    pass


@dataclass(frozen=True)
class PlanItem:
    key: str
    name: str
    limit_days: int
    prerequisites: tuple[str, ...] = ()
    lead_days: int = 0  # working days to prepare its materials, counted from the plan's start
    not_before: dt.date | None = None  # a date the agent fixed by hand
    fixed_start_on: dt.date | None = None  # the agent planned this date, even against the rules (flagged)
    filed_on: dt.date | None = None  # what really happened: filed on this date …
    decided_on: dt.date | None = None  # … and decided on this one


@dataclass(frozen=True)
class Milestone:
    """An applicant's milestone. Either a known date (`on`), or `after_days` calendar days after an item is
    decided (e.g. the construction period after the construction permit). `before` names the items that
    cannot be filed until it is reached."""

    key: str
    name: str
    before: tuple[str, ...]
    on: dt.date | None = None
    after_item: str | None = None
    after_days: int = 0


@dataclass
class ScheduledItem:
    key: str
    name: str
    start_on: dt.date  # earliest filing date
    finish_on: dt.date  # earliest decision date
    slack_days: int = 0  # working days it may slip without moving the plan's end
    critical: bool = False
    reasons: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


@dataclass
class Plan:
    items: dict[str, ScheduledItem]
    milestones: dict[str, dt.date]
    finish_on: dt.date
    critical_path: list[str]

    def ordered(self) -> list[ScheduledItem]:
        return sorted(self.items.values(), key=lambda s: (s.start_on, s.finish_on, s.key))


def _topological(edges: Mapping[str, Sequence[str]]) -> list[str]:
    """Kahn's order over `node → its prerequisites`; on a cycle, report one precisely instead of looping."""
    indegree = {k: sum(1 for p in ps if p in edges) for k, ps in edges.items()}
    dependants: dict[str, list[str]] = {k: [] for k in edges}
    for key, prerequisites in edges.items():
        for prerequisite in prerequisites:
            if prerequisite in edges:
                dependants[prerequisite].append(key)
    ready = sorted(k for k, d in indegree.items() if d == 0)
    order: list[str] = []
    while ready:
        key = ready.pop(0)
        order.append(key)
        for nxt in sorted(dependants[key]):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) < len(edges):
        raise PlanCycleError(_find_cycle({k: v for k, v in edges.items() if indegree[k] > 0}))
    return order


def _find_cycle(edges: Mapping[str, Sequence[str]]) -> list[str]:
    path: list[str] = []
    seen: set[str] = set()
    node = min(edges)
    while node not in seen:
        seen.add(node)
        path.append(node)
        node = min(p for p in edges[node] if p in edges)
    cycle = [*path[path.index(node) :], node]
    return list(reversed(cycle))


def schedule(
    *,
    calendar: WorkCalendar,
    start_on: dt.date,
    items: Sequence[PlanItem],
    milestones: Sequence[Milestone] = (),
) -> Plan:
    """Earliest dates, slack and critical path. Prerequisites outside the plan are ignored (already done or
    not needed for this project); a cycle raises `PlanCycleError`."""
    by_key = {item.key: item for item in items}
    if len(by_key) != len(items):
        raise PlanInputError("an item appears twice in the plan")
    for item in items:
        if item.limit_days < 0 or item.lead_days < 0:
            raise PlanInputError(f"{item.key}: limits and lead times cannot be negative")
    gates: dict[str, list[Milestone]] = {}
    for milestone in milestones:
        for key in milestone.before:
            gates.setdefault(key, []).append(milestone)
    # A milestone that follows an item (construction period after the permit) links that item to the ones
    # it gates.
    edges = {
        key: [p for p in item.prerequisites if p in by_key]
        + [m.after_item for m in gates.get(key, []) if m.after_item in by_key]
        for key, item in by_key.items()
    }
    order = _topological(edges)

    scheduled: dict[str, ScheduledItem] = {}
    binding: dict[str, str | None] = {}  # the item whose date set this one's start, if any
    reached: dict[str, dt.date] = {}

    def milestone_date(m: Milestone) -> dt.date | None:
        if m.on is not None:
            return m.on
        if m.after_item is not None and m.after_item in scheduled:
            return scheduled[m.after_item].finish_on + dt.timedelta(days=m.after_days)
        return None

    for key in order:
        item = by_key[key]
        start, reasons, bound_by = start_on, [_("the plan starts on %(on)s") % {"on": start_on}], None
        if item.lead_days:
            ready = calendar.add_working_days(start_on, item.lead_days)
            if ready > start:
                start, bound_by = ready, None
                reasons = [
                    _("its materials take %(n)s working days: ready on %(on)s")
                    % {"n": item.lead_days, "on": ready}
                ]
        for prerequisite in item.prerequisites:
            if prerequisite not in scheduled:
                continue
            done = scheduled[prerequisite].finish_on
            earliest = calendar.add_working_days(done, 1)
            why = _("%(item)s is decided on %(on)s") % {"item": by_key[prerequisite].name, "on": done}
            if earliest > start:
                start, reasons, bound_by = earliest, [why], prerequisite
            elif earliest == start:
                reasons.append(why)
        for milestone in gates.get(key, []):
            on = milestone_date(milestone)
            if on is None:
                continue
            reached[milestone.key] = on
            earliest = on if calendar.is_working_day(on) else calendar.add_working_days(on, 1)
            if earliest > start:
                start, bound_by = earliest, milestone.after_item
                reasons = [_("milestone %(name)s on %(on)s") % {"name": milestone.name, "on": on}]
        if item.not_before is not None and item.not_before > start:
            start, bound_by = item.not_before, None
            reasons = [_("set by hand to %(on)s") % {"on": item.not_before}]
        if not calendar.is_working_day(start):
            start = calendar.add_working_days(start, 1)
        violations = []
        if item.fixed_start_on is not None and item.filed_on is None:
            if item.fixed_start_on < start:
                violations.append(
                    _("planned on %(fixed)s, before it can be filed (%(earliest)s: %(why)s)")
                    % {"fixed": item.fixed_start_on, "earliest": start, "why": "；".join(reasons)}
                )
            start, reasons = item.fixed_start_on, [_("set by hand to %(on)s") % {"on": item.fixed_start_on}]
            if not calendar.is_working_day(start):
                violations.append(_("%(on)s is not a working day") % {"on": start})
        if item.filed_on is not None:  # reality replaces the plan from here on
            start, reasons = item.filed_on, [_("filed on %(on)s") % {"on": item.filed_on}]
        finish = calendar.deadline(start, item.limit_days)
        if item.decided_on is not None:
            finish = item.decided_on
            reasons.append(_("decided on %(on)s") % {"on": item.decided_on})
        scheduled[key] = ScheduledItem(key, item.name, start, finish, reasons=reasons, violations=violations)
        binding[key] = bound_by
    for milestone in milestones:
        on = milestone_date(milestone)
        if on is not None:
            reached.setdefault(milestone.key, on)

    finish_on = max((s.finish_on for s in scheduled.values()), default=start_on)
    _backward(calendar, by_key, order, scheduled, finish_on, milestones)
    return Plan(
        items=scheduled, milestones=reached, finish_on=finish_on, critical_path=_chain(scheduled, binding)
    )


def _backward(
    calendar: WorkCalendar,
    by_key: Mapping[str, PlanItem],
    order: Sequence[str],
    scheduled: dict[str, ScheduledItem],
    finish_on: dt.date,
    milestones: Sequence[Milestone],
) -> None:
    """Latest finish that does not move the plan's end; slack in working days; zero slack is critical."""
    dependants: dict[str, list[str]] = {k: [] for k in by_key}
    for item in by_key.values():
        for prerequisite in item.prerequisites:
            if prerequisite in by_key:
                dependants[prerequisite].append(item.key)
    latest_finish: dict[str, dt.date] = {}
    latest_start: dict[str, dt.date] = {}
    for key in reversed(order):
        limit = finish_on
        for nxt in dependants[key]:
            limit = min(limit, _previous_working_day(calendar, latest_start[nxt]))
        for milestone in milestones:
            if milestone.after_item == key:
                for gated in milestone.before:
                    if gated in latest_start:
                        limit = min(limit, latest_start[gated] - dt.timedelta(days=milestone.after_days))
        latest_finish[key] = limit
        latest_start[key] = _latest_start(calendar, limit, by_key[key].limit_days)
        slack = calendar.working_days_between(scheduled[key].finish_on, limit)
        scheduled[key].slack_days = max(slack, 0)
        scheduled[key].critical = slack <= 0


def _latest_start(calendar: WorkCalendar, finish: dt.date, limit_days: int) -> dt.date:
    """The latest filing date that is still decided by `finish`: `limit_days` working days earlier."""
    day = finish if calendar.is_working_day(finish) else _previous_working_day(calendar, finish)
    for _step in range(limit_days):  # bounded by the item's limit (tens of days), not a calendar scan
        day = _previous_working_day(calendar, day)
    return day


def _previous_working_day(calendar: WorkCalendar, day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _chain(scheduled: Mapping[str, ScheduledItem], binding: Mapping[str, str | None]) -> list[str]:
    """The critical path: from the last-decided item back through the items whose dates bound each start."""
    if not scheduled:
        return []
    node: str | None = max(scheduled, key=lambda k: (scheduled[k].finish_on, k))
    chain: list[str] = []
    while node is not None and scheduled[node].critical:
        chain.append(node)
        node = binding.get(node)
    return list(reversed(chain))
