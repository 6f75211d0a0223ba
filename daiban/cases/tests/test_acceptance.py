"""Per-item acceptance (ADR 0022): each item is accepted or declined by a coordinator of its own
responsible unit, through the workflow core; the request follows its items. Table test of every
(action, acceptance state, person), the request's outcome, notifications, timeline and audit, the page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.cases.models import TIMELINE_VERBS, CaseItem, ServiceRequest, TimelineEntry
from daiban.cases.selectors import count_items
from daiban.cases.services import (
    accept_item,
    assign_agent,
    decline_item,
    start_collecting,
    submit_request,
    withdraw_request,
)
from daiban.cases.workflows import ACCEPTANCE
from daiban.common.audit import VERB_LABELS, AuditVerb
from daiban.common.models import AuditEntry
from daiban.common.tests.workflow_table import table_mismatches, triples
from daiban.common.workflow import NotYourStep
from daiban.notifications.models import Notification
from daiban.organizations.models import Role

from .conftest import data

A = CaseItem.Acceptance
S = ServiceRequest.State


@pytest.fixture
def fgw_coord(youyang, make_staff):
    return make_staff(Role.COORDINATOR, youyang, "fgw")


@pytest.fixture
def two_units(town_project, rep, items, staff):
    """A township project with the project filing (发改委) and the construction permit (住建委)."""
    chosen = [i for i in items if i.code in ("project-filing", "construction-permit")]
    return submit_request(project=town_project, data=data(chosen), by=rep, channel="online")


def item_of(request, code):
    return request.items.select_related("approval_item", "request__jurisdiction").get(
        approval_item__code=code
    )


def test_acceptance_graph_is_two_moves_out_of_pending():
    assert ACCEPTANCE.transitions() == {"accept": {A.PENDING: A.ACCEPTED}, "decline": {A.PENDING: A.DECLINED}}
    assert {m.actor.name for m in ACCEPTANCE.moves} == {"item_coordinator"}
    assert ACCEPTANCE.terminal == {A.ACCEPTED, A.DECLINED}
    assert {m.verb for m in ACCEPTANCE.moves} == {AuditVerb.ITEM_ACCEPTED, AuditVerb.ITEM_DECLINED}


@pytest.mark.django_db
def test_every_acceptance_move_by_every_person(two_units, rep, staff, fgw_coord):
    permit = item_of(two_units, "construction-permit")
    people = {
        "coordinator of the item's unit": staff["zjw_coord"],
        "coordinator of the request's other unit": fgw_coord,
        "co-responsible township's coordinator": staff["town_coord"],
        "park coordinator": staff["park_coord"],
        "agent of the item's unit": staff["zjw_agent"],
        "applicant": rep,
        "supervisor": staff["supervisor"],
    }
    acts_as = {"item_coordinator": {"coordinator of the item's unit"}}
    assert triples(ACCEPTANCE, CaseItem, len(people)) == 2 * 3 * 7
    assert table_mismatches(ACCEPTANCE, permit, people, acts_as) == []


@pytest.mark.django_db
def test_request_waits_for_every_item_and_is_accepted_when_one_is(two_units, rep, staff, fgw_coord):
    filing, permit = item_of(two_units, "project-filing"), item_of(two_units, "construction-permit")
    accept_item(item=permit, by=staff["zjw_coord"])
    two_units.refresh_from_db()
    assert two_units.state == S.SUBMITTED  # 发改委 has not decided yet
    with pytest.raises(ValidationError):  # no agent before the request is accepted
        assign_agent(
            item=item_of(two_units, "construction-permit"), agent=staff["zjw_agent"], by=staff["zjw_coord"]
        )
    decline_item(item=filing, reason="已自行办理项目备案。", by=fgw_coord)
    two_units.refresh_from_db()
    assert (two_units.state, two_units.decided_by) == (S.ACCEPTED, fgw_coord)
    filing.refresh_from_db()
    assert (filing.acceptance, filing.decline_reason, filing.acceptance_by) == (
        A.DECLINED,
        "已自行办理项目备案。",
        fgw_coord,
    )
    # The declined item gets no agent and no step; staffing the accepted one dispatches the request.
    (row,) = count_items([two_units])
    assert (row.item_count, row.unassigned_count) == (2, 1)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="不予受理"):
        assign_agent(item=filing, agent=staff["town_agent"], by=staff["town_coord"])
    assign_agent(
        item=item_of(two_units, "construction-permit"), agent=staff["zjw_agent"], by=staff["zjw_coord"]
    )
    two_units.refresh_from_db()
    assert two_units.state == S.DISPATCHED
    filing.refresh_from_db()
    filing.request = two_units
    with pytest.raises(ValidationError):
        start_collecting(item=filing, by=staff["zjw_agent"], expected_version=filing.version)


@pytest.mark.django_db
def test_request_is_declined_when_every_item_is(two_units, rep, staff, fgw_coord):
    decline_item(item=item_of(two_units, "project-filing"), reason="不属于社会投资项目。", by=fgw_coord)
    decline_item(
        item=item_of(two_units, "construction-permit"), reason="前置事项未办理。", by=staff["zjw_coord"]
    )
    two_units.refresh_from_db()
    assert two_units.state == S.DECLINED
    assert (
        two_units.decline_reason
        == "企业投资项目备案：不属于社会投资项目。；建筑工程施工许可证核发：前置事项未办理。"
    )
    note = Notification.objects.get(recipient=rep, verb=AuditVerb.REQUEST_DECLINED)
    assert note.body == two_units.decline_reason


@pytest.mark.django_db
def test_only_the_items_own_unit_decides(two_units, staff, fgw_coord):
    permit = item_of(two_units, "construction-permit")
    for outsider in (fgw_coord, staff["town_coord"], staff["park_coord"]):
        with pytest.raises(NotYourStep):
            accept_item(item=permit, by=outsider)
        with pytest.raises(NotYourStep):
            decline_item(item=permit, reason="不属于服务范围。", by=outsider)
    permit.refresh_from_db()
    assert permit.acceptance == A.PENDING
    assert not AuditEntry.objects.filter(verb__in=[AuditVerb.ITEM_ACCEPTED, AuditVerb.ITEM_DECLINED]).exists()


@pytest.mark.django_db
def test_a_decline_needs_a_reason_and_nothing_is_half_saved(two_units, staff):
    permit = item_of(two_units, "construction-permit")
    with pytest.raises(ValidationError):
        decline_item(item=permit, reason="  ", by=staff["zjw_coord"])
    permit.refresh_from_db()
    assert (permit.acceptance, permit.version) == (A.PENDING, 0)


@pytest.mark.django_db
def test_a_stale_page_and_a_second_decision_are_refused(two_units, staff):
    permit = item_of(two_units, "construction-permit")
    with pytest.raises(ValidationError, match="刷新"):
        accept_item(item=permit, by=staff["zjw_coord"], expected_version=7)
    accept_item(item=permit, by=staff["zjw_coord"], expected_version=0)
    with pytest.raises(ValidationError):
        decline_item(
            item=item_of(two_units, "construction-permit"), reason="改变主意了。", by=staff["zjw_coord"]
        )
    assert item_of(two_units, "construction-permit").acceptance == A.ACCEPTED


@pytest.mark.django_db
def test_no_decision_on_a_withdrawn_request(two_units, rep, staff):
    withdraw_request(request=two_units, by=rep)
    with pytest.raises(ValidationError, match="不再等待受理"):
        accept_item(item=item_of(two_units, "construction-permit"), by=staff["zjw_coord"])


@pytest.mark.django_db
def test_each_decision_tells_the_applicant_and_is_on_the_timeline_and_audit_trail(
    two_units, rep, staff, fgw_coord
):
    accept_item(item=item_of(two_units, "construction-permit"), by=staff["zjw_coord"])
    decline_item(item=item_of(two_units, "project-filing"), reason="已自行办理项目备案。", by=fgw_coord)
    titles = dict(Notification.objects.filter(recipient=rep).values_list("verb", "title"))
    assert "建筑工程施工许可证核发" in titles[AuditVerb.ITEM_ACCEPTED]
    assert "企业投资项目备案" in titles[AuditVerb.ITEM_DECLINED]
    assert (
        Notification.objects.get(recipient=rep, verb=AuditVerb.ITEM_DECLINED).body == "已自行办理项目备案。"
    )
    assert AuditVerb.REQUEST_ACCEPTED in titles
    verbs = list(
        TimelineEntry.objects.filter(request=two_units).order_by("id").values_list("verb", "to_state")
    )
    assert verbs[1:] == [
        (AuditVerb.ITEM_ACCEPTED, A.ACCEPTED),
        (AuditVerb.ITEM_DECLINED, A.DECLINED),
        (AuditVerb.REQUEST_ACCEPTED, S.ACCEPTED),
    ]
    entry = TimelineEntry.objects.get(request=two_units, verb=AuditVerb.ITEM_DECLINED)
    assert (entry.verb_label, entry.to_state_label) == ("事项不予受理", "不予受理")
    for verb in (AuditVerb.ITEM_ACCEPTED, AuditVerb.ITEM_DECLINED):
        assert verb in VERB_LABELS and verb in TIMELINE_VERBS
        logged = AuditEntry.objects.get(verb=verb)
        assert logged.jurisdiction_code == "500242" and logged.after is not None
    declined = AuditEntry.objects.get(verb=AuditVerb.ITEM_DECLINED)
    assert declined.after is not None and declined.after["decline_reason"] == "已自行办理项目备案。"


@pytest.mark.django_db
def test_the_page_offers_buttons_only_to_the_items_unit(client, two_units, rep, staff, fgw_coord):
    url = reverse("cases:request_detail", args=[two_units.pk])
    permit, filing = item_of(two_units, "construction-permit"), item_of(two_units, "project-filing")
    accept_permit = reverse("cases:item_accept", args=[two_units.pk, permit.pk])
    accept_filing = reverse("cases:item_accept", args=[two_units.pk, filing.pk])
    client.force_login(staff["zjw_coord"])
    page = client.get(url).content.decode()
    assert accept_permit in page and accept_filing not in page
    client.force_login(staff["town_coord"])  # sees the request, decides nothing
    page = client.get(url).content.decode()
    assert accept_permit not in page and accept_filing not in page
    response = client.post(accept_permit, {"version": 0})
    assert response.status_code == 403
    client.force_login(fgw_coord)
    decline = reverse("cases:item_decline", args=[two_units.pk, filing.pk])
    bad = client.post(decline, {f"decline{filing.pk}-version": 0, f"decline{filing.pk}-reason": ""})
    assert bad.status_code == 302 and item_of(two_units, "project-filing").acceptance == A.PENDING
    client.post(decline, {f"decline{filing.pk}-version": 0, f"decline{filing.pk}-reason": "已自行办理。"})
    assert item_of(two_units, "project-filing").acceptance == A.DECLINED
    client.force_login(rep)  # the applicant reads the reason, gets no button
    page = client.get(url).content.decode()
    assert "已自行办理。" in page and accept_permit not in page
    item_page = client.get(reverse("cases:item_detail", args=[two_units.pk, filing.pk])).content.decode()
    assert "不予受理" in item_page and "已自行办理。" in item_page
    client.force_login(staff["zjw_coord"])
    response = client.post(accept_permit, {"version": "x"})  # a forged version: refused, nothing saved
    assert response.status_code == 302 and item_of(two_units, "construction-permit").acceptance == A.PENDING
    client.post(accept_permit, {"version": 0})
    two_units.refresh_from_db()
    assert two_units.state == S.ACCEPTED
