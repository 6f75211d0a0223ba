"""What the oversight pages offer whom (permissions) and which objects they list (selectors)."""

import datetime as dt

import pytest

from daiban.organizations.models import Role, Unit
from daiban.oversight.ledger import LEDGER_UNIT_KINDS
from daiban.oversight.models import CoordinationIssue, QuarterlyLedger, RequiredAction
from daiban.oversight.permissions import (
    IssueSteps,
    can_raise_issues,
    can_record_inspections,
    can_report_done,
    can_submit_ledger,
    issue_steps,
)
from daiban.oversight.selectors import (
    inspectable_units,
    ledger_units_visible_to,
    raising_jurisdictions,
    supervised_jurisdictions,
)
from daiban.oversight.services import raise_issue

S = CoordinationIssue.Status
NOTHING = IssueSteps(assign=False, follow_up=False, resolve=False, reopen=False)


@pytest.mark.django_db
def test_issue_steps_follow_the_state_graph(youyang, staff, dz_supervisor):
    issue = raise_issue(
        jurisdiction=youyang,
        unit=Unit.objects.get(jurisdiction=youyang, code="township-003"),
        title="征地拆迁滞后",
        description="项目用地范围内拆迁未完成，影响规划许可",
        by=staff["town_coord"],
    )
    supervisor, assignee = staff["supervisor"], staff["town_agent"]
    issue.assignee = assignee
    expected = {
        S.OPEN: {supervisor: IssueSteps(assign=True, follow_up=False, resolve=False, reopen=False)},
        S.ASSIGNED: {
            supervisor: IssueSteps(assign=True, follow_up=True, resolve=True, reopen=False),
            assignee: IssueSteps(assign=False, follow_up=True, resolve=True, reopen=False),
        },
        S.RESOLVED: {supervisor: IssueSteps(assign=False, follow_up=False, resolve=False, reopen=True)},
    }
    # The one who raised it, a coordinator of the township, another agent, another district's supervisor:
    # they see the issue (or not) but take no step.
    others = [staff["town_coord"], staff["park_agent"], dz_supervisor]
    for status, steps in expected.items():
        issue.status = status
        for person in [supervisor, assignee, *others]:
            assert issue_steps(person, issue) == steps.get(person, NOTHING), (status, person)


@pytest.mark.django_db
def test_who_raises_records_submits_and_reports(youyang, staff, dz_supervisor):
    assert [can_raise_issues(staff[k]) for k in ("town_coord", "park_agent", "supervisor", "clerk")] == [
        True,
        True,
        False,
        False,
    ]
    assert list(raising_jurisdictions(staff["park_agent"])) == [youyang]
    assert not raising_jurisdictions(staff["supervisor"]).exists()
    assert can_record_inspections(staff["supervisor"]) and can_record_inspections(dz_supervisor)
    assert not can_record_inspections(staff["park_coord"])

    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    assert can_submit_ledger(staff["park_coord"], park, None)
    assert not can_submit_ledger(staff["park_coord"], park, QuarterlyLedger(unit=park, year=2026, quarter=3))
    assert not can_submit_ledger(staff["zjw_coord"], park, None)
    assert not can_submit_ledger(staff["supervisor"], park, None)

    action = RequiredAction(unit=park, action="更新材料清单", due_on=dt.date(2026, 11, 13))
    assert can_report_done(staff["park_coord"], action)
    assert not can_report_done(staff["zjw_coord"], action) and not can_report_done(
        staff["supervisor"], action
    )
    action.done_on = dt.date(2026, 11, 10)
    assert not can_report_done(staff["park_coord"], action)


@pytest.mark.django_db
def test_ledger_units_and_supervised_jurisdictions(youyang, dazu, city, staff, dz_supervisor, make_staff):
    every = set(Unit.objects.filter(jurisdiction=youyang, kind__in=LEDGER_UNIT_KINDS))
    assert set(ledger_units_visible_to(staff["supervisor"])) == every
    assert set(ledger_units_visible_to(staff["supervisor"], youyang)) == every
    assert not ledger_units_visible_to(staff["supervisor"], dazu).exists()
    assert [u.code for u in ledger_units_visible_to(staff["park_coord"])] == ["gyyq"]
    assert not ledger_units_visible_to(staff["park_agent"]).exists()
    assert not ledger_units_visible_to(dz_supervisor, youyang).exists()

    assert list(supervised_jurisdictions(staff["supervisor"])) == [youyang]
    assert not supervised_jurisdictions(staff["park_coord"]).exists()
    city_supervisor = make_staff(Role.SUPERVISOR, city)
    assert [j.code for j in supervised_jurisdictions(city_supervisor)] == sorted(
        [city.code, "500111", "500242"]
    )
    assert set(inspectable_units(supervised_jurisdictions(staff["supervisor"]))) == every
