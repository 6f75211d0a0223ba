"""The reviewer's decision: approval records the certificate number, both decisions confirm first and look
different, and the clock-stop inputs are labelled."""

import datetime as dt

from django.test import Client
from django.urls import reverse

from daiban.cases.models import CaseItem
from daiban.cases.tests.chains import file_it
from daiban.organizations.models import Role

D = dt.date


def _filed(dispatched, staff, clock):
    clock(2026, 11, 3)
    item = dispatched.items.get(agent=staff["park_agent"])
    return file_it(item, staff["park_agent"], filed_on=D(2026, 11, 3))


def _reviewer(youyang, make_staff, item):
    return (
        make_staff(
            Role.SECTION_REVIEWER,
            youyang,
            item.approval_item.department.code,
            section_code=item.approval_item.section.code,
        )
        if item.approval_item.section_id
        else make_staff(Role.SECTION_REVIEWER, youyang, item.approval_item.department.code)
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_approval_records_the_certificate_number(dispatched, staff, clock, youyang, make_staff):
    item = _filed(dispatched, staff, clock)
    reviewer = _reviewer(youyang, make_staff, item)
    client = _client(reviewer)
    url = reverse("cases:item_step", args=[dispatched.pk, item.pk, "approve"])
    page = client.get(reverse("cases:item_detail", args=[dispatched.pk, item.pk])).content.decode()
    assert 'class="btn approve"' in page and "data-confirm=" in page
    assert 'name="result_number"' in page
    for bad in ("", "x", "<script>", "号" * 61):
        client.post(url, {"version": item.version, "decided_on": "2026-11-03", "result_number": bad})
        assert CaseItem.objects.get(pk=item.pk).state == CaseItem.State.FILED, bad
    client.post(
        url, {"version": item.version, "decided_on": "2026-11-03", "result_number": "酉住建施〔2026〕第12号"}
    )
    item.refresh_from_db()
    assert item.state == CaseItem.State.APPROVED
    assert item.result_number == "酉住建施〔2026〕第12号" and item.decided_on == D(2026, 11, 3)
    shown = client.get(reverse("cases:item_detail", args=[dispatched.pk, item.pk])).content.decode()
    assert "酉住建施〔2026〕第12号" in shown


def test_refusal_is_red_and_confirms(dispatched, staff, clock, youyang, make_staff):
    item = _filed(dispatched, staff, clock)
    page = (
        _client(_reviewer(youyang, make_staff, item))
        .get(reverse("cases:item_detail", args=[dispatched.pk, item.pk]))
        .content.decode()
    )
    refuse = page[page.index('value="refuse"') - 200 : page.index('value="refuse"') + 200]
    assert "btn danger" in refuse and "data-confirm=" in refuse
    assert 'for="id_kind"' in page and 'for="id_start_on"' in page  # the clock-stop inputs are labelled
