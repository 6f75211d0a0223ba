import pytest
from django.core.exceptions import ValidationError

from daiban.cases.models import ItemAssignment, ServiceRequest
from daiban.cases.selectors import eligible_agents, worklist
from daiban.cases.services import (
    accept_request,
    assign_agent,
    decline_request,
    submit_request,
    withdraw_request,
)
from daiban.common.workflow import NotYourStep
from daiban.notifications.models import Notification
from daiban.organizations.models import Role

from .conftest import data


@pytest.mark.django_db
def test_accept_assign_and_dispatch(submitted, staff, rep):
    with pytest.raises(ValidationError):
        assign_agent(
            item=submitted.items.first(), agent=staff["park_agent"], by=staff["park_coord"]
        )  # not accepted yet
    with pytest.raises(ValidationError):
        accept_request(request=submitted, by=staff["zjw_coord"])  # not responsible for a park project
    accept_request(request=submitted, by=staff["park_coord"])
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.ACCEPTED
    assert submitted.decided_by == staff["park_coord"]
    assert Notification.objects.filter(recipient=rep, verb="request.accepted").exists()
    items = list(submitted.items.all())
    for item in items[:-1]:
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.ACCEPTED
    assign_agent(item=items[-1], agent=staff["park_agent2"], by=staff["park_coord"])
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.DISPATCHED
    assert [i.pk for i in worklist(staff["park_agent"])] == [i.pk for i in items[:-1]]
    loads = {u.pk: u.load for u in eligible_agents({items[0].responsible_unit_id})}
    assert loads[staff["park_agent"].pk] == 2
    assert loads[staff["park_agent2"].pk] == 1
    assert Notification.objects.filter(recipient=staff["park_agent"], verb="item.assigned").count() == 2
    assert Notification.objects.filter(recipient=rep, verb="item.assigned").count() == 3
    assert submitted.timeline.filter(verb="request.dispatched").exists()


@pytest.mark.django_db
def test_only_agents_of_the_responsible_unit_can_be_assigned(submitted, staff):
    accept_request(request=submitted, by=staff["park_coord"])
    item = submitted.items.first()
    with pytest.raises(ValidationError) as exc:
        assign_agent(item=item, agent=staff["zjw_agent"], by=staff["park_coord"])
    assert "agent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        assign_agent(item=item, agent=staff["park_agent"], by=staff["zjw_coord"])
    item.refresh_from_db()
    assert item.agent is None


@pytest.mark.django_db
def test_reassignment_needs_a_reason_and_keeps_history(submitted, staff):
    accept_request(request=submitted, by=staff["park_coord"])
    item = submitted.items.first()
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    with pytest.raises(ValidationError) as exc:
        assign_agent(item=item, agent=staff["park_agent2"], by=staff["park_coord"])
    assert "reason" in exc.value.message_dict
    assign_agent(item=item, agent=staff["park_agent2"], by=staff["park_coord"], reason="原专员外出培训")
    history = list(ItemAssignment.objects.filter(case_item=item).order_by("id"))
    assert [h.agent for h in history] == [staff["park_agent"], staff["park_agent2"]]
    assert history[0].ended_at is not None
    assert history[1].reason == "原专员外出培训"
    assert Notification.objects.filter(recipient=staff["park_agent"], verb="item.reassigned").exists()


@pytest.mark.django_db
def test_township_and_department_share_non_park_items(town_project, rep, items, staff, youyang, make_staff):
    request = submit_request(project=town_project, data=data(items), by=rep, channel="online")
    with pytest.raises(NotYourStep):  # the township decides no item: each department decides its own
        accept_request(request=request, by=staff["town_coord"])
    for code in ("fgw", "gzj"):
        accept_request(request=request, by=make_staff(Role.COORDINATOR, youyang, code))
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.SUBMITTED  # 住建委's item is still undecided
    accept_request(request=request, by=staff["zjw_coord"])
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.ACCEPTED
    permit = request.items.get(approval_item__code="construction-permit")
    assign_agent(item=permit, agent=staff["town_agent"], by=staff["zjw_coord"])  # the township's agent
    filing = request.items.get(approval_item__code="project-filing")
    assign_agent(item=filing, agent=staff["town_agent"], by=staff["town_coord"])
    with pytest.raises(ValidationError):
        assign_agent(
            item=filing, agent=staff["zjw_agent"], by=staff["zjw_coord"], reason="x"
        )  # not zjw's item


@pytest.mark.django_db
def test_decline_needs_a_reason_the_applicant_sees(submitted, staff, rep):
    with pytest.raises(ValidationError):
        decline_request(request=submitted, reason=" ", by=staff["park_coord"])
    decline_request(
        request=submitted, reason="非社会投资建设项目，不属于帮代办范围。", by=staff["park_coord"]
    )
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.DECLINED
    note = Notification.objects.get(recipient=rep, verb="request.declined")
    assert note.body == "非社会投资建设项目，不属于帮代办范围。"
    with pytest.raises(ValidationError):
        accept_request(request=submitted, by=staff["park_coord"])


@pytest.mark.django_db
def test_only_the_applicant_withdraws(submitted, staff, rep):
    with pytest.raises(ValidationError):
        withdraw_request(request=submitted, by=staff["park_coord"])
    withdraw_request(request=submitted, by=rep)
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.WITHDRAWN
