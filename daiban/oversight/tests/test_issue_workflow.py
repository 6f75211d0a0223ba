import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.conftest import data
from daiban.common.tests.workflow_table import table_mismatches
from daiban.notifications.models import Notification
from daiban.organizations.models import Role, Unit
from daiban.oversight.models import CoordinationIssue, IssueNote
from daiban.oversight.services import (
    add_issue_follow_up,
    assign_issue,
    escalate_overdue_issues,
    raise_issue,
    raise_issue_from_item,
    reopen_issue,
    resolve_issue,
)
from daiban.oversight.workflows import ISSUE
from daiban.workdays.services import seed_calendar_from_library

D = dt.date
S = CoordinationIssue.Status


@pytest.fixture
def issue(clock, park_project, rep, items, staff):
    seed_calendar_from_library()
    request = submit_request(project=park_project, data=data(items), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    item = request.items.first()
    assert item is not None
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    return raise_issue_from_item(
        item=item,
        title="规划与消防退距冲突",
        description="规资局与住建委意见不一致，需要协调",
        by=staff["park_agent"],
    )


@pytest.mark.django_db
def test_reform_office_assigns_by_locality_with_a_working_day_deadline(issue, staff, clock):
    supervisor = staff["supervisor"]
    assert issue.unit.code == "gyyq"  # the park where the project is
    with pytest.raises(ValidationError, match="属地"):
        assign_issue(issue=issue, assignee=staff["zjw_agent"], working_days=5, by=supervisor)
    with pytest.raises(ValidationError, match="不由您"):
        assign_issue(issue=issue, assignee=staff["park_agent2"], working_days=5, by=staff["park_coord"])
    with pytest.raises(ValidationError, match="1 至 60"):
        assign_issue(issue=issue, assignee=staff["park_agent2"], working_days=0, by=supervisor)
    assert CoordinationIssue.objects.get().status == S.OPEN and not IssueNote.objects.exists()
    # Monday 11-02 + 5 working days = Monday 11-09.
    issue = assign_issue(issue=issue, assignee=staff["park_agent2"], working_days=5, by=supervisor)
    assert (issue.status, issue.assignee, issue.due_on) == (S.ASSIGNED, staff["park_agent2"], D(2026, 11, 9))
    assert Notification.objects.filter(recipient=staff["park_agent2"], verb="issue.assigned").exists()
    add_issue_follow_up(issue=issue, text="已约两部门现场会商", by=staff["park_agent2"])
    with pytest.raises(ValidationError, match="不由您"):
        resolve_issue(issue=issue, resolution="已解决", by=staff["park_agent"])
    resolve_issue(issue=issue, resolution="规资局出具说明，按说明审查", by=staff["park_agent2"])
    assert Notification.objects.filter(recipient=staff["park_agent"], verb="issue.resolved").exists()
    with pytest.raises(ValidationError, match="不由您"):
        reopen_issue(issue=issue, reason="企业反映未落实", by=staff["park_agent2"])
    issue = reopen_issue(issue=issue, reason="企业反映未落实", by=supervisor)
    assert issue.status == S.ASSIGNED
    assert [n.verb for n in issue.notes.all()] == [
        "issue.assigned",
        "issue.followed_up",
        "issue.resolved",
        "issue.reopened",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), [(a, s) for a in ISSUE.actions for s in S.values])
def test_every_move(issue, staff, action, status):
    CoordinationIssue.objects.filter(pk=issue.pk).update(
        status=status, assignee=staff["park_agent2"], due_on=D(2026, 11, 9)
    )
    calls = {
        "assign": lambda: assign_issue(
            issue=issue, assignee=staff["park_agent"], working_days=3, by=staff["supervisor"]
        ),
        "resolve": lambda: resolve_issue(issue=issue, resolution="已协调解决", by=staff["supervisor"]),
        "reopen": lambda: reopen_issue(issue=issue, reason="仍未解决的问题", by=staff["supervisor"]),
    }
    target = ISSUE.target(action, status)
    if target is None:
        with pytest.raises(ValidationError, match="现在不能"):
            calls[action]()
        assert CoordinationIssue.objects.get().status == status and not IssueNote.objects.exists()
    else:
        calls[action]()
        assert CoordinationIssue.objects.get().status == target
        assert IssueNote.objects.get().verb == ISSUE.move(action).verb


@pytest.mark.django_db
def test_overdue_issues_escalate_on_a_frozen_clock(issue, staff, clock):
    supervisor, agent, coordinator = staff["supervisor"], staff["park_agent2"], staff["park_coord"]
    assign_issue(issue=issue, assignee=agent, working_days=5, by=supervisor)  # due Monday 11-09

    def sent(user, verb):
        return Notification.objects.filter(recipient=user, verb=verb).count()

    assert escalate_overdue_issues(today=D(2026, 11, 9)) == {"overdue": 0, "supervisor": 0, "failed": 0}
    assert escalate_overdue_issues(today=D(2026, 11, 10)) == {"overdue": 1, "supervisor": 0, "failed": 0}
    assert (
        sent(agent, "issue.overdue"),
        sent(coordinator, "issue.overdue"),
        sent(supervisor, "issue.escalated"),
    ) == (1, 1, 0)
    # nothing twice
    assert escalate_overdue_issues(today=D(2026, 11, 11)) == {"overdue": 0, "supervisor": 0, "failed": 0}
    # Three working days late on Thursday 11-12: the supervisors hear of it, once.
    assert escalate_overdue_issues(today=D(2026, 11, 12)) == {"overdue": 0, "supervisor": 1, "failed": 0}
    assert escalate_overdue_issues(today=D(2026, 11, 13)) == {"overdue": 0, "supervisor": 0, "failed": 0}
    assert sent(supervisor, "issue.escalated") == 1
    # Resolved issues are left alone; a new deadline starts a new round.
    resolve_issue(issue=issue, resolution="已协调解决", by=agent)
    assert escalate_overdue_issues(today=D(2026, 11, 20)) == {"overdue": 0, "supervisor": 0, "failed": 0}


@pytest.mark.django_db
def test_units_raise_problems_on_their_own(youyang, dazu, staff, make_staff, clock):
    township = Unit.objects.get(jurisdiction=youyang, code="township-003")
    with pytest.raises(ValidationError, match="统筹人员和帮代办专员"):
        raise_issue(
            jurisdiction=youyang,
            unit=township,
            title="征地拆迁滞后",
            description="项目用地范围内拆迁未完成，影响规划许可",
            by=staff["clerk"],
        )
    with pytest.raises(ValidationError) as exc:
        raise_issue(
            jurisdiction=youyang,
            unit=Unit.objects.get(jurisdiction=dazu, code="zjw"),
            title="短",
            description="短",
            by=staff["town_coord"],
        )
    assert set(exc.value.message_dict) == {"unit", "title", "description"}
    assert not CoordinationIssue.objects.exists()
    issue = raise_issue(
        jurisdiction=youyang,
        unit=township,
        title="征地拆迁滞后",
        description="项目用地范围内拆迁未完成，影响规划许可",
        by=staff["town_coord"],
    )
    assert (issue.unit, issue.case_item) == (township, None)
    assert Notification.objects.filter(recipient=staff["supervisor"], verb="issue.raised").exists()


@pytest.mark.django_db
def test_issue_pages_check_role_and_owner(client, issue, staff, dz_supervisor, rep):
    url = reverse("oversight:issue_detail", args=[issue.pk])
    client.force_login(rep)  # an applicant: not staff
    assert client.get(url).status_code == 403
    for outsider in (dz_supervisor, staff["zjw_agent"], staff["town_coord"]):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert (
            client.post(
                reverse("oversight:issue_assign", args=[issue.pk]),
                {"assignee": staff["park_agent2"].pk, "working_days": 3},
            ).status_code
            == 404
        )
    client.force_login(staff["park_coord"])  # the locality's coordinator sees it but cannot assign
    page = client.get(url).content.decode()
    assert "规划与消防退距冲突" in page and 'name="assign"' not in page
    client.post(
        reverse("oversight:issue_assign", args=[issue.pk]),
        {"assignee": staff["park_agent2"].pk, "working_days": 3},
    )
    assert CoordinationIssue.objects.get().status == S.OPEN
    client.force_login(staff["supervisor"])
    bad = client.post(
        reverse("oversight:issue_assign", args=[issue.pk]),
        {"assignee": staff["park_agent2"].pk, "working_days": 99},
        follow=True,
    )
    assert "60" in bad.content.decode() and CoordinationIssue.objects.get().status == S.OPEN
    client.post(
        reverse("oversight:issue_assign", args=[issue.pk]),
        {"assignee": staff["park_agent2"].pk, "working_days": 3},
    )
    assert CoordinationIssue.objects.get().assignee == staff["park_agent2"]
    client.force_login(staff["park_agent2"])
    assert "规划与消防退距冲突" in client.get(reverse("oversight:issue_list")).content.decode()
    client.post(reverse("oversight:issue_resolve", args=[issue.pk]), {"text": "两部门已达成一致意见"})
    assert CoordinationIssue.objects.get().status == S.RESOLVED
    overdue = client.get(reverse("oversight:issue_list"), {"status": "overdue"}).content.decode()
    assert "规划与消防退距冲突" not in overdue


@pytest.mark.django_db
def test_every_issue_move_by_every_person(issue, staff, dz_supervisor, make_staff, city):
    """Each (action, status, person) is allowed exactly when the table says so, through the same check
    the pages and the services use."""
    CoordinationIssue.objects.filter(pk=issue.pk).update(assignee=staff["park_agent2"])
    issue = CoordinationIssue.objects.get(pk=issue.pk)
    people = {
        "supervisor": staff["supervisor"],
        "city supervisor": make_staff(Role.SUPERVISOR, city),
        "other county's supervisor": dz_supervisor,
        "assignee": staff["park_agent2"],
        "raiser (another agent)": staff["park_agent"],
        "coordinator": staff["park_coord"],
    }
    supervisors = {"supervisor", "city supervisor"}
    acts_as = {"supervisor": supervisors, "assignee_or_supervisor": supervisors | {"assignee"}}
    assert table_mismatches(ISSUE, issue, people, acts_as) == []
