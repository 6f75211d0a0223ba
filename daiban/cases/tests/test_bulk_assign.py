"""分发 of several items at once: one transaction through `assign_agent`, all or nothing."""

from django.test import Client
from django.urls import reverse

from daiban.cases.models import CaseItem, ItemAssignment, ServiceRequest
from daiban.cases.services import accept_request, assign_agent_to_items, submit_request
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry

from .conftest import data


def _accepted(park_project, rep, items, staff):
    request = submit_request(project=park_project, data=data(items), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    return request


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_item_to_one_agent_dispatches_the_request(park_project, rep, items, staff):
    request = _accepted(park_project, rep, items, staff)
    all_items = list(request.items.all())
    done = assign_agent_to_items(items=all_items, agent=staff["park_agent"], by=staff["park_coord"])
    assert len(done) == len(all_items) >= 2
    assert set(request.items.values_list("agent_id", flat=True)) == {staff["park_agent"].pk}
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.DISPATCHED
    assert AuditEntry.objects.filter(verb=AuditVerb.ITEM_ASSIGNED).count() == len(all_items)


def test_one_item_that_cannot_take_the_agent_assigns_nothing(park_project, rep, items, staff):
    request = _accepted(park_project, rep, items, staff)
    first, *rest = request.items.order_by("position")
    assign_agent_to_items(items=[first], agent=staff["park_agent"], by=staff["park_coord"])
    # the second round moves `first` (a reassignment) without a reason: the whole step is refused
    client = _client(staff["park_coord"])
    response = client.post(
        reverse("cases:items_assign", args=[request.pk]),
        {"bulk-items": [i.pk for i in [*rest, first]], "bulk-agent": staff["park_agent2"].pk},
        follow=True,
    )
    text = response.content.decode()
    assert first.approval_item.name in text and "均未分派" in text
    assert not CaseItem.objects.filter(pk__in=[i.pk for i in rest], agent__isnull=False).exists()
    assert CaseItem.objects.get(pk=first.pk).agent_id == staff["park_agent"].pk
    assert ItemAssignment.objects.filter(case_item__request=request).count() == 1


def test_the_page_offers_it_and_the_post_assigns_the_selection(park_project, rep, items, staff):
    request = _accepted(park_project, rep, items, staff)
    client = _client(staff["park_coord"])
    page = client.get(reverse("cases:request_detail", args=[request.pk])).content.decode()
    assert 'id="bulk-assign"' in page and 'name="bulk-items"' in page
    chosen = list(request.items.order_by("position"))[:2]
    response = client.post(
        reverse("cases:items_assign", args=[request.pk]),
        {"bulk-items": [i.pk for i in chosen], "bulk-agent": staff["park_agent2"].pk},
    )
    assert response.status_code == 302
    assert set(CaseItem.objects.filter(agent=staff["park_agent2"]).values_list("pk", flat=True)) == {
        i.pk for i in chosen
    }


def test_bad_input_saves_nothing(park_project, rep, items, staff, town_project):
    request = _accepted(park_project, rep, items, staff)
    other = submit_request(project=town_project, data=data(items[:1]), by=rep, channel="online")
    client = _client(staff["park_coord"])
    url = reverse("cases:items_assign", args=[request.pk])
    for payload in (
        {"bulk-agent": staff["park_agent"].pk},  # no item
        {"bulk-items": ["abc"], "bulk-agent": staff["park_agent"].pk},
        {"bulk-items": [other.items.get().pk], "bulk-agent": staff["park_agent"].pk},  # another request's
        {"bulk-items": [request.items.first().pk], "bulk-agent": staff["town_agent"].pk},  # not offered
        {"bulk-items": [request.items.first().pk], "bulk-agent": "x" * 30},
    ):
        response = client.post(url, payload, follow=True)
        assert response.status_code == 200
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(list(response.context["messages"])))
    assert not CaseItem.objects.filter(agent__isnull=False).exists()
