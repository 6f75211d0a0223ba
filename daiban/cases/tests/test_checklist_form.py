"""The checklist in one form, and 全部收齐: all lines or none."""

from django.test import Client
from django.urls import reverse

from daiban.cases import services as steps
from daiban.cases.models import ItemMaterial


def _collecting(dispatched, staff):
    item = dispatched.items.get(agent=staff["park_agent"])
    return steps.start_collecting(item=item, by=staff["park_agent"], expected_version=item.version)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_mark_every_material_received(dispatched, staff):
    item = _collecting(dispatched, staff)
    client = _client(staff["park_agent"])
    page = client.get(reverse("cases:item_detail", args=[dispatched.pk, item.pk])).content.decode()
    assert 'name="all_received"' in page and 'id="checklist-form"' in page
    client.post(reverse("cases:checklist_save", args=[dispatched.pk, item.pk]), {"all_received": "1"})
    assert set(item.checklist.values_list("status", flat=True)) == {ItemMaterial.Status.RECEIVED}
    assert item.checklist.count() >= 2


def test_one_form_saves_every_line_or_none(dispatched, staff):
    item = _collecting(dispatched, staff)
    lines = list(item.checklist.select_related("material").order_by("material__position"))
    key = next(line for line in lines if line.material.is_key)
    client = _client(staff["park_agent"])
    url = reverse("cases:checklist_save", args=[dispatched.pk, item.pk])
    payload = {f"line{line.pk}-status": "received" for line in lines}
    payload |= {f"line{line.pk}-note": "" for line in lines} | {
        f"line{line.pk}-promised_on": "" for line in lines
    }
    # a key material cannot be promised later: the whole form is refused, naming it
    bad = payload | {f"line{key.pk}-status": "promised", f"line{key.pk}-promised_on": "2030-01-01"}
    response = client.post(url, bad, follow=True)
    assert key.material.name in str(list(response.context["messages"]))
    assert set(item.checklist.values_list("status", flat=True)) == {ItemMaterial.Status.PENDING}
    for broken in ({f"line{key.pk}-status": "nonsense"}, {f"line{key.pk}-promised_on": "2026-13-40"}):
        client.post(url, payload | broken)
        assert set(item.checklist.values_list("status", flat=True)) == {ItemMaterial.Status.PENDING}
    client.post(url, payload | {f"line{key.pk}-note": "原件已核"})
    assert set(item.checklist.values_list("status", flat=True)) == {ItemMaterial.Status.RECEIVED}
    assert ItemMaterial.objects.get(pk=key.pk).note == "原件已核"


def test_only_the_agent_and_only_while_open(dispatched, staff):
    item = _collecting(dispatched, staff)
    url = reverse("cases:checklist_save", args=[dispatched.pk, item.pk])
    assert _client(staff["park_agent2"]).post(url, {"all_received": "1"}).status_code == 403
    assert set(item.checklist.values_list("status", flat=True)) == {ItemMaterial.Status.PENDING}
