"""The approval-system simulator, against a live server: it files, reviews and approves through the API."""

import datetime as dt

import pytest
from django.core.management import call_command

from daiban.api.models import ItemEvent, Scope
from daiban.cases.models import CaseItem
from daiban.cases.services import mark_ready, start_collecting
from daiban.cases.tests.chains import receive_all
from daiban.cases.tests.conftest import SHANGHAI


@pytest.mark.django_db(transaction=True)
def test_the_simulator_moves_an_item_to_approved(live_server, make_client, permit, staff, reviewer, clock):
    today = dt.datetime.now(SHANGHAI)  # the simulator stamps events with the real time
    clock(today.year, today.month, today.day, 23)
    agent = staff["park_agent2"]
    item = start_collecting(item=permit, by=agent, expected_version=permit.version)
    receive_all(item, agent)
    mark_ready(item=item, by=agent, expected_version=item.version)
    system = make_client(Scope.READ_CASES, Scope.POST_ITEM_EVENTS)
    call_command(
        "simulate_approval_system", base_url=live_server.url, key_id=system.key_id, secret=system.secret
    )
    item = CaseItem.objects.get(pk=permit.pk)
    assert item.state == CaseItem.State.APPROVED and item.external_ref == f"SIM-{item.pk:06d}"
    kinds = list(ItemEvent.objects.filter(case_item=item).values_list("kind", "outcome"))
    assert kinds == [("filed", "applied"), ("review_started", "applied"), ("approved", "applied")]
