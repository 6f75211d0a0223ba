"""The scheduling core on a factory project over four stages across Mid-Autumn and National Day 2026.

Every date below was worked out by hand from the 2026 notice (9-20 Sunday and 10-10 Saturday are working
days; 9-25…9-27 and 10-1…10-7 are not) — see docs/planning-example.md for the working.
"""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daiban.planning.engine import Milestone, PlanCycleError, PlanItem, schedule
from daiban.workdays.engine import WorkCalendar

D = dt.date

CAL = WorkCalendar(
    years=range(2004, 2027),
    holidays=chinese_calendar.holidays.keys(),
    makeup_workdays=[d for d in chinese_calendar.workdays if d.weekday() >= 5],
)

FACTORY = [
    PlanItem("filing", "企业投资项目备案", 1),
    PlanItem("land", "建设用地规划许可证核发", 5, ("filing",)),
    PlanItem("eia", "环境影响评价审批（报告表）", 10, lead_days=5),
    PlanItem("swc", "水土保持方案审批", 10, lead_days=3),
    PlanItem("planning", "建设工程规划许可证核发", 5, ("land",)),
    PlanItem("civil", "人防工程审批", 5, ("planning",)),
    PlanItem("fire_design", "特殊建设工程消防设计审查", 10, ("planning",)),
    PlanItem("permit", "建筑工程施工许可证核发", 3, ("planning", "fire_design", "eia", "swc", "civil")),
    PlanItem("waste", "城市建筑垃圾处置核准", 5, lead_days=20),
    PlanItem("verify", "建设工程规划条件核实", 5, ("planning",)),
    PlanItem("fire_accept", "特殊建设工程消防验收", 10, ("fire_design",)),
    PlanItem("completion", "竣工验收备案", 3, ("permit", "verify", "fire_accept")),
    PlanItem("registration", "不动产首次登记", 5, ("completion",)),
]
MILESTONES = [
    Milestone("design", "设计方案完成", before=("planning",), on=D(2026, 9, 25)),
    Milestone(
        "build", "施工期（30天）", before=("verify", "fire_accept"), after_item="permit", after_days=30
    ),
]
EXPECTED = {  # key: (filed, decided, slack in working days)
    "filing": (D(2026, 9, 14), D(2026, 9, 15), 2),
    "land": (D(2026, 9, 16), D(2026, 9, 22), 2),
    "eia": (D(2026, 9, 20), D(2026, 10, 10), 11),
    "swc": (D(2026, 9, 17), D(2026, 10, 8), 13),
    "planning": (D(2026, 9, 28), D(2026, 10, 10), 0),
    "civil": (D(2026, 10, 12), D(2026, 10, 19), 5),
    "fire_design": (D(2026, 10, 12), D(2026, 10, 26), 0),
    "permit": (D(2026, 10, 27), D(2026, 10, 30), 0),
    "waste": (D(2026, 10, 16), D(2026, 10, 23), 46),
    "verify": (D(2026, 11, 30), D(2026, 12, 7), 5),
    "fire_accept": (D(2026, 11, 30), D(2026, 12, 14), 0),
    "completion": (D(2026, 12, 15), D(2026, 12, 18), 0),
    "registration": (D(2026, 12, 21), D(2026, 12, 28), 0),
}


def test_the_factory_plan_gives_the_hand_worked_dates():
    plan = schedule(calendar=CAL, start_on=D(2026, 9, 14), items=FACTORY, milestones=MILESTONES)
    got = {k: (s.start_on, s.finish_on, s.slack_days) for k, s in plan.items.items()}
    assert got == EXPECTED
    assert plan.finish_on == D(2026, 12, 28)
    assert plan.critical_path == [
        "planning",
        "fire_design",
        "permit",
        "fire_accept",
        "completion",
        "registration",
    ]
    assert plan.milestones == {"design": D(2026, 9, 25), "build": D(2026, 11, 29)}


def test_every_date_says_why():
    plan = schedule(calendar=CAL, start_on=D(2026, 9, 14), items=FACTORY, milestones=MILESTONES)
    assert (
        "设计方案完成" in plan.items["planning"].reasons[0]
        and "2026-09-25" in plan.items["planning"].reasons[0]
    )
    assert "特殊建设工程消防设计审查" in plan.items["permit"].reasons[0]
    assert "2026-10-26" in plan.items["permit"].reasons[0]
    assert "20" in plan.items["waste"].reasons[0]


def test_a_cycle_is_reported_not_looped_on():
    items = [
        PlanItem("a", "A", 1, ("c",)),
        PlanItem("b", "B", 1, ("a",)),
        PlanItem("c", "C", 1, ("b",)),
        PlanItem("d", "D", 1),
    ]
    with pytest.raises(PlanCycleError) as exc:
        schedule(calendar=CAL, start_on=D(2026, 3, 2), items=items)
    assert exc.value.cycle[0] == exc.value.cycle[-1]
    assert set(exc.value.cycle) == {"a", "b", "c"}


@st.composite
def plans(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    items = []
    for i in range(n):
        prerequisites = tuple(f"i{j}" for j in range(i) if draw(st.booleans()) and draw(st.booleans()))
        items.append(
            PlanItem(f"i{i}", f"事项{i}", draw(st.integers(0, 20)), prerequisites, draw(st.integers(0, 10)))
        )
    start = draw(st.dates(min_value=D(2024, 1, 1), max_value=D(2025, 12, 31)))
    return start, items


@settings(max_examples=150, deadline=None)
@given(plans())
def test_no_item_starts_before_its_prerequisites_finish(plan_input):
    start, items = plan_input
    plan = schedule(calendar=CAL, start_on=start, items=items)
    for item in items:
        scheduled = plan.items[item.key]
        assert scheduled.start_on >= start
        assert CAL.is_working_day(scheduled.start_on)
        for p in item.prerequisites:
            assert scheduled.start_on > plan.items[p].finish_on
    assert plan.critical_path, "a non-empty plan has a critical path"
    assert all(plan.items[k].slack_days == 0 for k in plan.critical_path)


@settings(max_examples=150, deadline=None)
@given(plans(), st.data())
def test_adding_a_prerequisite_never_moves_a_date_earlier(plan_input, data):
    start, items = plan_input
    if len(items) < 2:
        return
    later = data.draw(st.integers(min_value=1, max_value=len(items) - 1))
    earlier = data.draw(st.integers(min_value=0, max_value=later - 1))
    before = schedule(calendar=CAL, start_on=start, items=items)
    target = items[later]
    extra = PlanItem(
        target.key,
        target.name,
        target.limit_days,
        (*target.prerequisites, items[earlier].key),
        target.lead_days,
    )
    after = schedule(calendar=CAL, start_on=start, items=[extra if i.key == target.key else i for i in items])
    for key in before.items:
        assert after.items[key].start_on >= before.items[key].start_on
        assert after.items[key].finish_on >= before.items[key].finish_on


def test_actual_dates_replace_the_plan_and_move_the_prediction():
    to_permit = FACTORY[:8]  # up to the construction permit: the later stages would run into 2027
    planned = schedule(calendar=CAL, start_on=D(2026, 9, 14), items=to_permit, milestones=MILESTONES[:1])
    # 消防设计审查 was filed on time but decided only on 11-02 (a correction round): the permit slips.
    actual = [
        PlanItem(
            i.key,
            i.name,
            i.limit_days,
            i.prerequisites,
            i.lead_days,
            filed_on=D(2026, 10, 12) if i.key == "fire_design" else None,
            decided_on=D(2026, 11, 2) if i.key == "fire_design" else None,
        )
        for i in to_permit
    ]
    replanned = schedule(calendar=CAL, start_on=D(2026, 9, 14), items=actual, milestones=MILESTONES[:1])
    assert replanned.items["fire_design"].finish_on == D(2026, 11, 2)
    assert replanned.items["permit"].start_on == D(2026, 11, 3)
    assert replanned.items["permit"].finish_on == D(2026, 11, 6)
    assert replanned.items["permit"].finish_on > planned.items["permit"].finish_on
    assert replanned.finish_on > planned.finish_on
