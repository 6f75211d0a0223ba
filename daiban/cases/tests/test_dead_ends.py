"""Issue #15, dead ends: nobody is stuck without a word. Each test names the dead end it closes."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from daiban.cases import services as steps
from daiban.cases.models import CaseItem, ItemMaterial, ServiceRequest
from daiban.cases.reminders import alert_unstaffed
from daiban.cases.selectors import request_progress, unstaffed_for
from daiban.cases.services import (
    accept_item,
    accept_request,
    assign_agent,
    submit_request,
    withdraw_request,
)
from daiban.cases.workflows import ACCEPTANCE, ITEM, REQUEST
from daiban.common.audit import AuditVerb
from daiban.common.workflow import NotYourStep
from daiban.notifications.models import Notification
from daiban.organizations.models import Role, RoleAssignment, User
from daiban.projects.tests.factories import ProjectFactory

from .chains import deliver_it, file_it
from .conftest import data

DAY = dt.date(2026, 11, 2)


def permit(request: ServiceRequest) -> CaseItem:
    return request.items.select_related("approval_item", "request").get(
        approval_item__code="construction-permit"
    )


def filing(request: ServiceRequest) -> CaseItem:
    return request.items.select_related("approval_item", "request").get(approval_item__code="project-filing")


def page(client: Client, user: User, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


# Dead end 1: items nobody can act on ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_item_without_a_reviewer_says_why_on_its_page_and_alerts_once(
    client, dispatched, staff, youyang, make_staff
):
    item = file_it(permit(dispatched), staff["park_agent2"], filed_on=DAY)
    item_url = reverse("cases:item_detail", args=[dispatched.pk, item.pk])
    # The department's other section has a reviewer: the permit's section (spk) still has none.
    other_reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code=_other_section(item))
    for person in (staff["park_agent2"], other_reviewer, staff["park_coord"]):
        html = page(client, person, item_url)
        assert (
            'id="blocked-steps"' in html
            and "没有审批人员" in html
            and item.approval_item.department.name in html
        )
    alerts = Notification.objects.filter(verb=AuditVerb.ITEM_FOUND_UNSTAFFED)
    assert set(alerts.values_list("recipient", flat=True)) >= {staff["park_coord"].pk, staff["supervisor"].pk}
    sent = alerts.count()
    assert alert_unstaffed(CaseItem.objects.all()) == 0 and alerts.count() == sent  # once
    assert item in unstaffed_for(staff["park_coord"])
    assert "无人处理" in page(client, staff["park_coord"], reverse("cases:dispatch"))
    # Once a reviewer of the section exists, the reason is the ordinary one and the list empties.
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    assert "没有审批人员" not in (ITEM.refusal(item, "approve", by=staff["park_agent2"]) or "")
    assert ITEM.refusal(item, "approve", by=reviewer) is None
    assert item not in unstaffed_for(staff["park_coord"])


def _other_section(item: CaseItem) -> str:
    sections = item.approval_item.department.sections.exclude(code="spk").values_list("code", flat=True)
    return sections[0]


@pytest.fixture
def stranded(clock, rep, items, staff, youyang, town_project, make_staff):
    """A request in township-004, which has no agent; its project filing's department has none."""
    project = ProjectFactory.create(
        applicant=town_project.applicant, location=youyang.units.get(code="township-004")
    )
    chosen = [i for i in items if i.code in ("project-filing", "construction-permit")]
    request = submit_request(project=project, data=data(chosen), by=rep, channel="online")
    for item in request.items.select_related("responsible_unit"):  # each by its own unit (ADR 0022)
        accept_item(item=item, by=make_staff(Role.COORDINATOR, youyang, item.responsible_unit.code))
    request.refresh_from_db()
    return request


@pytest.mark.django_db
def test_items_of_units_without_agents_are_listed_and_alerted(client, stranded, staff):
    item = filing(stranded)
    assert item.agent_id is None
    assert list(unstaffed_for(staff["other_town_coord"])) == [item]
    alerts = Notification.objects.filter(verb=AuditVerb.ITEM_FOUND_UNSTAFFED)
    # The coordinators of the item's units (its department, which accepted it, and the township) and the
    # supervisors.
    department_coordinators = RoleAssignment.objects.filter(
        role=Role.COORDINATOR, unit=item.responsible_unit
    ).values_list("user", flat=True)
    assert set(alerts.values_list("recipient", flat=True)) == {
        staff["other_town_coord"].pk,
        staff["supervisor"].pk,
        *department_coordinators,
    }
    html = page(client, staff["other_town_coord"], reverse("cases:dispatch"))
    assert item.approval_item.name in html and "帮代办专员" in html
    # The item page says nobody can start, to everybody, instead of showing nothing.
    html = page(client, staff["other_town_coord"], reverse("cases:item_detail", args=[stranded.pk, item.pk]))
    assert "尚无帮代办专员" in html


@pytest.mark.django_db
def test_a_township_coordinator_sees_the_eligible_agents_or_why_none(client, stranded, staff):
    html = page(client, staff["other_town_coord"], reverse("cases:request_detail", args=[stranded.pk]))
    # The permit's department (zjw) has an agent: offered, with a working form.
    assert staff["zjw_agent"].display_name in html
    assert reverse("cases:item_assign", args=[stranded.pk, permit(stranded).pk]) in html
    # The filing's units have nobody: no empty select, the reason instead.
    assert reverse("cases:item_assign", args=[stranded.pk, filing(stranded).pk]) not in html
    assert "无专员可分派" in html
    client.force_login(staff["other_town_coord"])
    response = client.post(
        reverse("cases:item_assign", args=[stranded.pk, permit(stranded).pk]),
        {f"item{permit(stranded).pk}-agent": staff["zjw_agent"].pk, f"item{permit(stranded).pk}-current": 0},
    )
    assert response.status_code == 302 and permit(stranded).agent == staff["zjw_agent"]


# Dead end 2: 容缺 follow-up ----------------------------------------------------------------------------


def _promise_one(item: CaseItem, agent: User) -> ItemMaterial:
    item = steps.start_collecting(item=item, by=agent, expected_version=item.version)
    lines = list(item.checklist.select_related("material"))
    promised = next(line for line in lines if not line.material.is_key)
    for line in lines:
        status = "promised" if line == promised else "received"
        steps.update_checklist_line(
            line=line,
            status=status,
            promised_on=DAY + dt.timedelta(days=7) if line == promised else None,
            note="",
            by=agent,
        )
    item.refresh_from_db()
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    steps.file_item(
        item=item, external_ref=f"T-{item.pk:06d}", filed_on=DAY, by=agent, expected_version=item.version
    )
    return ItemMaterial.objects.get(pk=promised.pk)


@pytest.mark.django_db
def test_a_promised_material_holds_completion_until_received(client, dispatched, staff, youyang, make_staff):
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    approval = filing(dispatched).approval_item
    section = {"section_code": approval.section.code} if approval.section else {}
    fgw_reviewer = make_staff(Role.SECTION_REVIEWER, youyang, approval.department.code, **section)
    promised = _promise_one(permit(dispatched), staff["park_agent2"])
    deliver_it(permit(dispatched), staff["park_agent2"], reviewer, decided_on=DAY)
    file_it(filing(dispatched), staff["park_agent"], filed_on=DAY)
    deliver_it(filing(dispatched), staff["park_agent"], fgw_reviewer, decided_on=DAY)
    dispatched.refresh_from_db()
    assert dispatched.state == ServiceRequest.State.DISPATCHED  # not 已办结 with a material outstanding
    assert Notification.objects.filter(
        verb=AuditVerb.REQUEST_COMPLETION_DEFERRED, recipient=staff["park_agent2"]
    ).exists()
    html = page(client, staff["park_agent2"], reverse("cases:request_detail", args=[dispatched.pk]))
    assert "容缺待补" in html and promised.material.name in html
    # The checklist stays open for the promised line only.
    item_url = reverse("cases:item_detail", args=[dispatched.pk, permit(dispatched).pk])
    assert 'name="promised_received"' in page(client, staff["park_agent2"], item_url)
    other = permit(dispatched).checklist.exclude(pk=promised.pk).order_by("id")[0]
    post = reverse("cases:checklist_update", args=[dispatched.pk, permit(dispatched).pk, other.pk])
    client.post(post, {"status": "missing", "note": ""})
    other.refresh_from_db()
    assert other.status == "received"  # refused: a received line is closed after filing
    post = reverse("cases:checklist_update", args=[dispatched.pk, permit(dispatched).pk, promised.pk])
    client.post(post, {"status": "received", "note": "已补交"})
    promised.refresh_from_db()
    dispatched.refresh_from_db()
    assert promised.status == "received" and dispatched.state == ServiceRequest.State.COMPLETED


# Dead end 5: withdrawal after acceptance --------------------------------------------------------------


@pytest.mark.django_db
def test_withdrawal_after_acceptance_needs_a_reason_and_stops_the_items(client, dispatched, rep, staff):
    url = reverse("cases:request_withdraw", args=[dispatched.pk])
    client.force_login(rep)
    client.post(url, {"reason": "   "})
    dispatched.refresh_from_db()
    assert dispatched.state == ServiceRequest.State.DISPATCHED  # bad input: nothing saved
    client.post(url, {"reason": "项目暂缓建设"})
    dispatched.refresh_from_db()
    assert dispatched.state == ServiceRequest.State.WITHDRAWN
    told = Notification.objects.filter(verb=AuditVerb.REQUEST_WITHDRAWN, body="项目暂缓建设")
    assert {staff["park_agent"].pk, staff["park_agent2"].pk, staff["park_coord"].pk} <= set(
        told.values_list("recipient", flat=True)
    )
    assert (
        ITEM.refusal(filing(dispatched), "start_collecting", by=staff["park_agent"]) == "该申请不在办理中。"
    )
    # The coordinator cannot withdraw it (wrong role).
    client.force_login(staff["park_coord"])
    assert client.post(url, {"reason": "代为撤回"}).status_code == 403


@pytest.mark.django_db
def test_no_withdrawal_once_an_item_is_decided(dispatched, rep, staff, youyang, make_staff):
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    item = file_it(permit(dispatched), staff["park_agent2"], filed_on=DAY)
    steps.approve(item=item, decided_on=DAY, by=reviewer, expected_version=item.version)
    dispatched.refresh_from_db()
    assert "不能再撤回" in (REQUEST.refusal(dispatched, "withdraw", by=rep) or "")
    with pytest.raises(Exception, match="不能再撤回"):
        withdraw_request(request=dispatched, by=rep, reason="不办了")


# Stepper and reasons on the request page ----------------------------------------------------------------


def _current(request):
    request.refresh_from_db()
    stages = request_progress(request, list(request.items.all()))
    return [s["label"] for s in stages if s["status"] == "current"]


@pytest.mark.django_db
def test_the_stepper_starts_at_acceptance(submitted):
    assert _current(submitted) == ["上门受理"]


@pytest.mark.django_db
def test_the_stepper_follows_the_request(client, dispatched, rep, staff):
    assert _current(dispatched) == ["上门受理"]
    file_it(permit(dispatched), staff["park_agent2"], filed_on=DAY)
    assert _current(dispatched) == ["跟踪催办"]
    html = page(client, rep, reverse("cases:request_detail", args=[dispatched.pk]))
    assert 'aria-current="step"' in html and "跟踪催办" in html and "事后评价" in html
    withdraw_request(request=dispatched, by=rep, reason="项目暂缓")
    dispatched.refresh_from_db()
    stages = request_progress(dispatched, list(dispatched.items.all()))
    assert [s["status"] for s in stages] == ["done", "stopped", "todo", "todo", "todo"]


@pytest.mark.django_db
def test_the_request_page_says_why_a_step_is_not_yours(client, submitted, rep, staff):
    html = page(client, rep, reverse("cases:request_detail", args=[submitted.pk]))
    assert 'id="blocked-steps"' in html
    item = submitted.items.first()
    assert str(ACCEPTANCE.refusal(item, "accept", by=rep)) in html  # each item's acceptance: whose it is
    html = page(client, staff["park_coord"], reverse("cases:request_detail", args=[submitted.pk]))
    assert str(REQUEST.refusal(submitted, "withdraw", by=staff["park_coord"])) in html


@pytest.mark.django_db
def test_assignment_to_an_unstaffed_request_by_another_unit_is_refused(client, stranded, staff):
    """Wrong owner: the park coordinator sees nothing of a township-004 request."""
    client.force_login(staff["park_coord"])
    assert client.get(reverse("cases:request_detail", args=[stranded.pk])).status_code == 404
    assert list(unstaffed_for(staff["park_coord"])) == []
    assign_url = reverse("cases:item_assign", args=[stranded.pk, filing(stranded).pk])
    assert client.post(assign_url, {}).status_code == 404
    with pytest.raises(NotYourStep):
        assign_agent(item=filing(stranded), agent=staff["park_agent"], by=staff["park_coord"])


# Dead end 5: 帮办 self-filing and e-certificates ----------------------------------------------------------


@pytest.fixture
def assisted(clock, park_project, rep, items, staff):
    """A 帮办 (assist) request: the agent guides; the enterprise files the construction permit itself."""
    chosen = [i for i in items if i.code == "construction-permit"]
    request = submit_request(project=park_project, data=data(chosen, mode="assist"), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    item = request.items.get()
    assign_agent(item=item, agent=staff["park_agent2"], by=staff["park_coord"])
    item = steps.start_collecting(item=item, by=staff["park_agent2"], expected_version=item.version)
    for line in item.checklist.all():
        steps.update_checklist_line(
            line=line, status="received", promised_on=None, note="", by=staff["park_agent2"]
        )
    item.refresh_from_db()
    steps.mark_ready(item=item, by=staff["park_agent2"], expected_version=item.version)
    request.refresh_from_db()
    return request


def _step(client: Client, item: CaseItem, action: str, **fields: object) -> int:
    url = reverse("cases:item_step", args=[item.request_id, item.pk, action])
    response = client.post(url, {"version": item.version, **fields})
    return int(response.status_code)


@pytest.mark.django_db
def test_an_assisted_enterprise_files_and_takes_its_e_certificate_itself(
    client, assisted, rep, staff, youyang, make_staff
):
    item = assisted.items.select_related("approval_item", "request").get()
    html = page(client, rep, reverse("cases:item_detail", args=[assisted.pk, item.pk]))
    assert reverse("cases:item_step", args=[assisted.pk, item.pk, "file"]) in html
    assert _step(client, item, "file", external_ref="BJ-2026-0042", filed_on=DAY.isoformat()) == 302
    item.refresh_from_db()
    assert item.state == CaseItem.State.FILED and item.external_ref == "BJ-2026-0042"
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    item = steps.approve(item=item, decided_on=DAY, by=reviewer, expected_version=item.version)
    # Bad input: a paper delivery without pick-up is refused and nothing is saved.
    client.force_login(rep)
    _step(client, item, "deliver", method="in_person", receiver="张经理", delivered_on=DAY.isoformat())
    item.refresh_from_db()
    assert item.state == CaseItem.State.APPROVED
    assert _step(client, item, "deliver", method="e_certificate", delivered_on=DAY.isoformat()) == 302
    item.refresh_from_db()
    assisted.refresh_from_db()
    assert item.state == CaseItem.State.DELIVERED and item.picked_up_on is None
    assert assisted.state == ServiceRequest.State.COMPLETED


@pytest.mark.django_db
def test_in_proxy_mode_the_applicant_records_no_step(client, dispatched, rep, staff):
    item = permit(dispatched)
    item = steps.start_collecting(item=item, by=staff["park_agent2"], expected_version=item.version)
    for line in item.checklist.all():
        steps.update_checklist_line(
            line=line, status="received", promised_on=None, note="", by=staff["park_agent2"]
        )
    item.refresh_from_db()
    item = steps.mark_ready(item=item, by=staff["park_agent2"], expected_version=item.version)
    client.force_login(rep)
    assert _step(client, item, "file", external_ref="BJ-2026-0043", filed_on=DAY.isoformat()) == 403
    item.refresh_from_db()
    assert item.state == CaseItem.State.READY
