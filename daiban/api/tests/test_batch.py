"""The batch event call, the one lock per event, and what an event costs in queries."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from daiban.api.models import ItemEvent
from daiban.api.tests.test_events import event, post
from daiban.cases.models import CaseItem, TimelineEntry
from daiban.common.models import AuditEntry

S = CaseItem.State
BATCH = "/api/v1/item-events/batch"


def test_a_batch_applies_each_event_and_answers_each(approval_system, ready, reviewer):
    filed = event("b1", "filed", 8, receipt_number="GG-2026-0009", item_id=ready.pk)
    body = {
        "events": [
            filed,
            event("b2", "review_started", 9, item_receipt_number="GG-2026-0009"),
            event("b3", "review_started", 7, item_id=ready.pk),  # older than b2: a conflict
            event("b4", "approved", 10, item_id=999999),  # not this client's (nor anyone's) item
            event("b5", "approved", 11, item_id=ready.pk, item_receipt_number="GG-2026-0009"),
            filed,  # a repeat
            event("b6", "approved", 12, item_id=ready.pk, result_number="渝建施〔2026〕12号"),
        ]
    }
    response = approval_system.post(BATCH, body)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["index"], r["status"], r["code"]) for r in results] == [
        (0, 201, "applied"),
        (1, 201, "applied"),
        (2, 409, "conflict"),
        (3, 404, "not_found"),
        (4, 422, "item_reference_invalid"),
        (5, 200, "repeated"),
        (6, 201, "applied"),
    ]
    item = CaseItem.objects.get(pk=ready.pk)
    assert (item.state, item.result_number) == (S.APPROVED, "渝建施〔2026〕12号")
    assert results[6]["item_version"] == item.version
    assert set(ItemEvent.objects.values_list("event_id", "outcome")) == {
        ("b1", "applied"),
        ("b2", "applied"),
        ("b3", "conflict"),
        ("b6", "applied"),
    }
    assert AuditEntry.objects.filter(verb="api.called", target_label__startswith="POST").count() == 1


def test_a_refused_event_in_a_batch_saves_nothing_of_itself(approval_system, ready, reviewer):
    """A decision before the filing is refused by the service after nothing of it is kept; the events
    around it are applied."""
    body = {
        "events": [
            event("c1", "filed", 8, receipt_number="GG-2026-0010", item_id=ready.pk, on="2026-11-02"),
            event("c2", "review_started", 9, item_id=ready.pk),
            event("c3", "approved", 10, item_id=ready.pk, on="2026-10-01", result_number="X-1"),
            event("c4", "approved", 11, item_id=ready.pk, on="2026-11-02", result_number="X-2"),
        ]
    }
    results = approval_system.post(BATCH, body).json()["results"]
    assert [r["status"] for r in results] == [201, 201, 409, 201]
    assert results[2]["outcome"] == "conflict" and results[2]["detail"]
    item = CaseItem.objects.get(pk=ready.pk)
    assert (item.state, item.result_number, str(item.decided_on)) == (S.APPROVED, "X-2", "2026-11-02")
    assert TimelineEntry.objects.filter(case_item=item, verb="item.approved").count() == 1


def test_a_batch_is_bounded(approval_system, ready):
    body = {"events": [event(f"d{i}", "review_started", 9, item_id=ready.pk) for i in range(101)]}
    response = approval_system.post(BATCH, body)
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert not ItemEvent.objects.exists()


def test_an_approval_event_records_the_result_number(approval_system, ready, reviewer):
    post(approval_system, ready, event("e1", "filed", 8, receipt_number="GG-2026-0001"))
    post(approval_system, ready, event("e2", "review_started", 9))
    r = post(approval_system, ready, event("e3", "approved", 10, result_number="渝建施〔2026〕7号"))
    assert r.status_code == 201, r.content
    assert CaseItem.objects.get(pk=ready.pk).result_number == "渝建施〔2026〕7号"


def _queries(approval_system, item, body):
    with CaptureQueriesContext(connection) as captured:
        response = post(approval_system, item, body)
    assert response.status_code == 201, response.content
    return captured.captured_queries


def test_an_event_locks_its_item_once(approval_system, ready, reviewer):
    """The receiver's lock is the step's: the item is read FOR UPDATE once, its request once."""
    post(approval_system, ready, event("e1", "filed", 8, receipt_number="GG-2026-0001"))
    queries = _queries(approval_system, ready, event("e2", "review_started", 9))
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(locks) == 2, locks  # the request, then the item
        assert sum('FROM "cases_caseitem"' in sql for sql in locks) == 1
    work = [q["sql"][:80] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(work) <= 13, work  # 18 before: two locks of the item, the call's audit entry apart


def test_the_coordinators_conflict_list(approval_system, ready, staff, rep):
    """An out-of-order event lands on the list of the coordinator of the item's unit, not on another
    coordinator's; a person without the coordinator role is refused the page."""
    post(approval_system, ready, event("late-9", "approved", 9))  # not filed yet: a conflict
    seen = Client()
    seen.force_login(staff["park_coord"])
    page = seen.get("/api/conflicts/")
    assert page.status_code == 200 and "late-9" in page.content.decode()
    other = Client()
    other.force_login(staff["other_town_coord"])
    assert "late-9" not in other.get("/api/conflicts/").content.decode()
    applicant = Client()
    applicant.force_login(rep)
    assert applicant.get("/api/conflicts/").status_code == 403
