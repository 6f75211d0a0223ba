"""Issue #16 journey: the approval system posts an event out of order (a decision for an item not yet
filed) through the signed API; nothing changes on the item, and its coordinator finds the conflict on
their list (desktop) and on the item's page (phone)."""

import json
import secrets
import time
import urllib.error
import urllib.request

import pytest

from daiban.api import signing
from daiban.api.models import ApiClient, Scope
from daiban.api.services import issue_key
from daiban.cases.models import CaseItem
from daiban.cases.services import accept_request, assign_agent

from .demo_park import demo_park, park_request
from .test_proxy_chain_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_post(base: str, key_id: str, secret: str, path: str, payload: dict[str, str]) -> int:
    body = json.dumps(payload).encode()
    header = signing.authorization_header(
        key_id=key_id,
        secret=secret,
        method="POST",
        full_path=path,
        body=body,
        timestamp=int(time.time()),
        nonce=secrets.token_hex(8),
    )
    call = urllib.request.Request(  # noqa: S310 - the live test server (http)
        base + path,
        data=body,
        method="POST",
        headers={"Authorization": header, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(call, timeout=30) as answer:  # noqa: S310 - the live test server
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_an_out_of_order_event_reaches_the_coordinators_conflict_list(live_server, phone, desktop, shoot):
    park = demo_park()
    request = park_request(park, ["project-filing"])
    accept_request(request=request, by=park.coordinator)
    item = request.items.get()
    assign_agent(item=item, agent=park.agent, by=park.coordinator)
    client = ApiClient.objects.create(
        name="酉阳工改系统", jurisdiction=park.youyang, scopes=[Scope.POST_ITEM_EVENTS]
    )
    issued = issue_key(client=client, by=None)
    base = live_server.url

    path = f"/api/v1/items/{item.pk}/events"
    event = {"event_id": "gg-late-0001", "kind": "approved", "occurred_at": "2026-11-02T10:00:00+08:00"}
    assert signed_post(base, issued.key.key_id, issued.secret, path, event) == 409
    assert CaseItem.objects.get(pk=item.pk).state == item.state  # nothing applied

    sign_in(desktop, base, park.coordinator.username)
    desktop.goto(f"{base}/api/conflicts/")
    row = desktop.locator("table.conflicts tbody tr").first
    assert "gg-late-0001" in row.inner_text() and "酉阳工改系统" in row.inner_text()
    shoot(desktop, "event-conflicts-01-coordinator-list")

    sign_in(phone, base, park.coordinator.username)
    phone.goto(f"{base}/api/conflicts/")
    phone.locator("table.conflicts tbody tr a").first.click()
    phone.wait_for_url(f"**/requests/{request.pk}/items/{item.pk}/")
    assert "gg-late-0001" in phone.locator("ul.conflicts").inner_text()
    shoot(phone, "event-conflicts-02-item-page-phone")
