"""Refusals are delivered (issue #15, dead end "refusals are never delivered"; docs/adr/0029): the refusal
decision's delivery is recorded on the refused item — how, when, to whom, an optional receipt — under the
item's lock, with history, audit and the applicant told the reason; the agent's queue counts the refusals
not yet delivered, and the request page says whether each was. A wrong step saves nothing."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daiban.cases import services as steps
from daiban.cases.models import CaseItem, RefusalNotice, RequestDocument, ServiceRequest, TimelineEntry
from daiban.cases.queues import queue_counts
from daiban.cases.tests.chains import file_it
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.common.workflow import NotYourStep
from daiban.notifications.models import Notification
from daiban.organizations.models import Role

from .conftest import PNG, pdf

D = dt.date
REASON = "用地性质不符合控制性详细规划"


def _reviewer(youyang, make_staff, item):
    approval = item.approval_item
    if approval.section_id:
        return make_staff(
            Role.SECTION_REVIEWER, youyang, approval.department.code, section_code=approval.section.code
        )
    return make_staff(Role.SECTION_REVIEWER, youyang, approval.department.code)


DECIDED_ON = D(2026, 11, 4)


def _refused(item, agent, reviewer, clock, *, on=DECIDED_ON):
    clock(2026, 11, 3)
    item = file_it(item, agent, filed_on=D(2026, 11, 3))
    clock(on.year, on.month, on.day)
    return steps.refuse(item=item, decided_on=on, reason=REASON, by=reviewer, expected_version=item.version)


@pytest.fixture
def refused(dispatched, staff, clock, youyang, make_staff):
    item = dispatched.items.get(agent=staff["park_agent"])
    reviewer = _reviewer(youyang, make_staff, item)
    item = _refused(item, staff["park_agent"], reviewer, clock)
    clock(2026, 11, 6)
    return item, reviewer


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _saved(item):
    return (
        RefusalNotice.objects.filter(case_item=item).count(),
        TimelineEntry.objects.filter(case_item=item, verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED).count(),
        AuditEntry.objects.filter(verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED).count(),
        RequestDocument.objects.filter(case_item=item).count(),
        Notification.objects.filter(verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED).count(),
    )


def test_the_refusal_decision_is_delivered_and_the_applicant_told_the_reason(refused, staff, rep):
    item, _ = refused
    agent = staff["park_agent"]
    assert queue_counts(agent, D(2026, 11, 6))["refusal_to_deliver"] == 1
    assert queue_counts(staff["park_agent2"], D(2026, 11, 6))["refusal_to_deliver"] == 0
    request_page = _client(rep).get(reverse("cases:request_detail", args=[item.request_id])).content.decode()
    assert "refusal-undelivered" in request_page

    notice = steps.deliver_refusal_notice(
        item=item,
        method=RefusalNotice.Method.IN_PERSON,
        delivered_on=D(2026, 11, 5),
        recipient=" 张经理 ",
        receipt=pdf("送达回证.png", PNG),
        by=agent,
    )

    assert (notice.method, notice.delivered_on, notice.recipient) == ("in_person", D(2026, 11, 5), "张经理")
    assert notice.receipt is not None and notice.receipt.kind == RequestDocument.Kind.REFUSAL_RECEIPT
    item.refresh_from_db()
    assert item.state == CaseItem.State.REFUSED  # still terminal: a fact on the item, not a move
    entry = TimelineEntry.objects.get(case_item=item, verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED)
    assert "张经理" in entry.text and "2026-11-05" in entry.text and entry.by == agent
    audit = AuditEntry.objects.get(verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED)
    assert (
        audit.after is not None
        and audit.after["recipient"] == "张经理"
        and audit.after["delivered_on"] == "2026-11-05"
    )
    told = Notification.objects.get(recipient=rep, verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED)
    assert REASON in told.body and item.approval_item.name in told.title
    assert queue_counts(agent, D(2026, 11, 6))["refusal_to_deliver"] == 0

    request_page = _client(rep).get(reverse("cases:request_detail", args=[item.request_id])).content.decode()
    assert "refusal-delivered" in request_page and "refusal-undelivered" not in request_page
    assert "2026-11-05" in request_page
    assert "不予许可决定书已送达" in request_page  # the timeline entry, translated
    item_page = (
        _client(rep).get(reverse("cases:item_detail", args=[item.request_id, item.pk])).content.decode()
    )
    assert REASON in item_page and "张经理" in item_page
    assert 'name="deliver_refusal"' not in item_page


def test_a_completed_requests_refusal_is_still_delivered(dispatched, staff, clock, youyang, make_staff):
    """The last item refused completes the request; its decision must still reach the enterprise."""
    first = dispatched.items.get(agent=staff["park_agent"])
    second = dispatched.items.get(agent=staff["park_agent2"])
    _refused(first, staff["park_agent"], _reviewer(youyang, make_staff, first), clock)
    last = _refused(second, staff["park_agent2"], _reviewer(youyang, make_staff, second), clock)
    dispatched.refresh_from_db()
    assert dispatched.state == ServiceRequest.State.COMPLETED
    assert queue_counts(staff["park_agent2"], D(2026, 11, 4))["refusal_to_deliver"] == 1
    steps.deliver_refusal_notice(
        item=last, method="post", delivered_on=D(2026, 11, 4), recipient="某某公司", by=staff["park_agent2"]
    )
    assert RefusalNotice.objects.filter(case_item=last).exists()
    listed = _client(staff["park_agent"]).get(reverse("cases:item_list"), {"queue": "refusal_to_deliver"})
    assert [i.pk for i, _clock in listed.context["rows"]] == [first.pk]


BAD: dict[str, tuple[dict[str, Any], str]] = {
    "date in the future": ({"delivered_on": D(2026, 11, 7)}, "晚于今天"),
    "before the decision": ({"delivered_on": D(2026, 11, 3)}, "早于"),
    "no recipient": ({"recipient": "  "}, "签收"),
    "unknown method": ({"method": "pigeon"}, "送达方式"),
    "a receipt that is not a photo or PDF": ({"receipt": pdf("回证.pdf", b"not a document")}, "PDF"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(refused, staff, case):
    item, _ = refused
    changes, word = BAD[case]
    call: dict[str, Any] = {"method": "in_person", "delivered_on": D(2026, 11, 5), "recipient": "张经理"}
    call |= changes
    before = _saved(item)
    with pytest.raises(ValidationError) as refusal:
        steps.deliver_refusal_notice(item=item, by=staff["park_agent"], **call)
    assert word in " ".join(refusal.value.messages)
    assert _saved(item) == before


def test_not_refused_or_twice_is_refused(refused, dispatched, staff, clock):
    item, _ = refused
    other = dispatched.items.get(agent=staff["park_agent2"])  # planned, not refused
    call: dict[str, Any] = {"method": "in_person", "delivered_on": D(2026, 11, 5), "recipient": "张经理"}
    with pytest.raises(ValidationError, match="不予许可的事项"):
        steps.deliver_refusal_notice(item=other, by=staff["park_agent2"], **call)
    steps.deliver_refusal_notice(item=item, by=staff["park_agent"], **call)
    once = _saved(item)
    with pytest.raises(ValidationError, match="不能重复登记"):
        steps.deliver_refusal_notice(item=item, by=staff["park_agent"], **call)
    assert _saved(item) == once


@pytest.mark.parametrize("who", ["reviewer", "park_agent2", "park_coord", "rep"])
def test_wrong_role_or_owner_is_not_their_step(refused, staff, rep, who):
    """Only the item's own agent (or, for 帮办, the enterprise); 代办 here, so not the applicant."""
    item, reviewer = refused
    person = {"reviewer": reviewer, "rep": rep}.get(who) or staff[who]
    before = _saved(item)
    with pytest.raises(NotYourStep):
        steps.deliver_refusal_notice(
            item=item, method="in_person", delivered_on=D(2026, 11, 5), recipient="张经理", by=person
        )
    assert _saved(item) == before


def test_assisted_enterprise_records_its_own(refused, rep):
    item, _ = refused
    ServiceRequest.objects.filter(pk=item.request_id).update(mode=ServiceRequest.Mode.ASSIST)
    item = CaseItem.objects.get(pk=item.pk)
    steps.deliver_refusal_notice(
        item=item, method="electronic", delivered_on=D(2026, 11, 6), recipient="本企业", by=rep
    )
    assert RefusalNotice.objects.get(case_item=item).recorded_by == rep


def test_the_page_offers_it_to_the_agent_only_and_refuses_others(refused, staff):
    item, reviewer = refused
    page_url = reverse("cases:item_detail", args=[item.request_id, item.pk])
    url = reverse("cases:refusal_notice_deliver", args=[item.request_id, item.pk])
    agent = _client(staff["park_agent"])
    assert 'name="deliver_refusal"' in agent.get(page_url).content.decode()
    assert 'name="deliver_refusal"' not in _client(reviewer).get(page_url).content.decode()
    post = {"method": "post", "delivered_on": "2026-11-05", "recipient": "张经理"}
    assert _client(reviewer).post(url, post).status_code == 403
    shown = agent.post(url, post | {"delivered_on": "2026-11-09"}, follow=True).content.decode()
    assert "晚于今天" in shown and not RefusalNotice.objects.exists()
    assert agent.post(url, post).status_code == 302
    assert RefusalNotice.objects.get(case_item=item).method == "post"


def test_the_agent_queue_is_counted_in_bounded_queries(dispatched, staff, clock, youyang, make_staff):
    """The count is one column of the item queues' one grouped query: the same number of queries with one
    refused item as with two."""
    agent = staff["park_agent"]
    first = dispatched.items.get(agent=agent)
    _refused(first, agent, _reviewer(youyang, make_staff, first), clock)
    User = type(agent)  # each count for a person read afresh, as each page request does (no warm caches)
    with CaptureQueriesContext(connection) as one:
        assert queue_counts(User.objects.get(pk=agent.pk), D(2026, 11, 4))["refusal_to_deliver"] == 1
    second = dispatched.items.get(agent=staff["park_agent2"])
    CaseItem.objects.filter(pk=second.pk).update(agent=agent)
    second.refresh_from_db()
    _refused(second, agent, _reviewer(youyang, make_staff, second), clock)
    with CaptureQueriesContext(connection) as two:
        assert queue_counts(User.objects.get(pk=agent.pk), D(2026, 11, 4))["refusal_to_deliver"] == 2
    assert len(one.captured_queries) == len(two.captured_queries)
