"""Item events from the approval system: the same services as the pages, once per event id, and an older or
impossible event recorded as a conflict instead of undoing a newer state."""

import pytest
from django.core.cache import cache
from django.test import Client

from daiban.api.models import ItemEvent
from daiban.cases.models import CaseItem, ClockStop
from daiban.common.models import AuditEntry
from daiban.notifications.models import Notification

S = CaseItem.State


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def event(event_id, kind, hour, **fields):
    return {"event_id": event_id, "kind": kind, "occurred_at": f"2026-11-02T{hour:02d}:00:00+08:00", **fields}


def post(system, item, body):
    return system.post(f"/api/v1/items/{item.pk}/events", body)


def test_a_filing_goes_through_the_service_and_notifies(approval_system, ready, rep):
    response = post(approval_system, ready, event("e1", "filed", 8, receipt_number="GG-2026-0001"))
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "applied" and response.json()["item_state"] == "filed"
    item = CaseItem.objects.get(pk=ready.pk)
    assert (item.state, item.external_ref, str(item.filed_on)) == (S.FILED, "GG-2026-0001", "2026-11-02")
    assert Notification.objects.filter(recipient=rep, verb="item.filed").exists()
    assert AuditEntry.objects.filter(verb="item.filed", target_id=str(item.pk)).exists()


def test_a_repeated_event_id_is_answered_once(approval_system, ready):
    body = event("e1", "filed", 8, receipt_number="GG-2026-0001")
    assert post(approval_system, ready, body).status_code == 201
    again = post(approval_system, ready, body)
    assert again.status_code == 200 and again.json()["outcome"] == "applied"
    assert ItemEvent.objects.count() == 1
    assert CaseItem.objects.get(pk=ready.pk).version == again.json()["item_version"]


def test_the_whole_review_by_events(approval_system, ready, reviewer):
    post(approval_system, ready, event("e1", "filed", 8, receipt_number="GG-2026-0001"))
    assert post(approval_system, ready, event("e2", "review_started", 9)).status_code == 201
    r = post(approval_system, ready, event("e3", "correction_requested", 10, note="补充消防设计文件"))
    assert r.status_code == 201 and r.json()["item_state"] == "correction_requested"
    assert ClockStop.objects.filter(case_item=ready, end_on__isnull=True, kind="correction").exists()
    assert post(approval_system, ready, event("e4", "resubmitted", 11)).json()["item_state"] == "resubmitted"
    r = post(approval_system, ready, event("e5", "special_procedure_started", 12, procedure="publicity"))
    assert r.status_code == 201, r.content
    assert post(approval_system, ready, event("e6", "special_procedure_ended", 13)).status_code == 201
    by_receipt = approval_system.post(
        "/api/v1/receipts/GG-2026-0001/events",
        event("e7", "approved", 14, result_number="施许-2026-1", certificate_url="https://zw.cq.gov.cn/c/1"),
    )
    assert by_receipt.status_code == 201 and by_receipt.json()["item_state"] == "approved"
    assert ItemEvent.objects.get(event_id="e7").payload["result_number"] == "施许-2026-1"


def test_an_older_event_never_undoes_a_newer_state(approval_system, ready, reviewer):
    post(approval_system, ready, event("e1", "filed", 8, receipt_number="GG-2026-0001"))
    post(approval_system, ready, event("e3", "approved", 12))
    late = post(approval_system, ready, event("e2", "review_started", 10))
    assert late.status_code == 409
    assert late.json()["outcome"] == "conflict" and late.json()["item_state"] == "approved"
    conflict = ItemEvent.objects.get(event_id="e2")
    assert conflict.outcome == "conflict" and conflict.detail
    assert AuditEntry.objects.filter(verb="item.event_conflicted", target_id=str(conflict.pk)).exists()
    assert CaseItem.objects.get(pk=ready.pk).state == S.APPROVED


def test_an_impossible_event_is_a_conflict_and_changes_nothing(approval_system, ready, reviewer):
    before = CaseItem.objects.get(pk=ready.pk)
    response = post(approval_system, ready, event("e1", "approved", 9))  # not filed yet
    assert response.status_code == 409 and response.json()["item_state"] == "ready"
    after = CaseItem.objects.get(pk=ready.pk)
    assert (after.state, after.version) == (before.state, before.version)


def test_a_bad_receipt_number_is_a_conflict_with_the_forms_message(approval_system, ready):
    response = post(approval_system, ready, event("e1", "filed", 8, receipt_number="x"))
    assert response.status_code == 409 and "6" in response.json()["detail"]
    assert CaseItem.objects.get(pk=ready.pk).state == S.READY


@pytest.mark.parametrize(
    "body",
    [
        {"event_id": "e1", "kind": "exploded", "occurred_at": "2026-11-02T08:00:00+08:00"},
        {"event_id": "", "kind": "filed", "occurred_at": "2026-11-02T08:00:00+08:00"},
        {"event_id": "e1", "kind": "filed", "occurred_at": "yesterday"},
        {
            "event_id": "e1",
            "kind": "approved",
            "occurred_at": "2026-11-02T08:00:00",
            "certificate_url": "javascript:x",
        },
        # Dates have the platform's bounds here too (common.validators, 2000 to ten years ahead).
        {"event_id": "e1", "kind": "filed", "occurred_at": "2026-11-02T08:00:00+08:00", "on": "1900-01-01"},
        {"event_id": "e1", "kind": "filed", "occurred_at": "2026-11-02T08:00:00+08:00", "on": "2099-01-01"},
        {"event_id": "e1", "kind": "filed", "occurred_at": "1900-01-01T08:00:00+08:00"},
        {"event_id": "e1", "kind": "filed", "occurred_at": "0001-01-01T00:00:00"},
    ],
)
def test_malformed_events_are_422_problems(approval_system, ready, body):
    response = post(approval_system, ready, body)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_failed" and response.json()["errors"]
    assert not ItemEvent.objects.exists()


def test_a_receipt_number_of_another_jurisdiction_is_404(make_client, dazu, ready, approval_system):
    post(approval_system, ready, event("e1", "filed", 8, receipt_number="GG-2026-0001"))
    theirs = make_client("post_item_events", jurisdiction=dazu)
    response = theirs.post("/api/v1/receipts/GG-2026-0001/events", event("x1", "approved", 9))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_conflict_is_shown_to_the_coordinator_on_the_item_page(approval_system, ready, staff, rep):
    post(approval_system, ready, event("late-1", "approved", 9))  # not filed: a conflict
    url = f"/requests/{ready.request_id}/items/{ready.pk}/"
    coordinator, applicant = Client(), Client()
    coordinator.force_login(staff["park_coord"])
    applicant.force_login(rep)
    assert "late-1" in coordinator.get(url).content.decode()
    assert "late-1" not in applicant.get(url).content.decode()
