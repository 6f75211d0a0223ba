"""Which audit entries are events for subscribers, and what a subscriber receives for one.

The audit trail already holds every committed change, written in the change's own transaction (ADR 0013),
so deriving events from it cannot announce a change that was rolled back, nor miss one that committed
(ADR 0021)."""

from typing import Any

from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.feedback.models import Evaluation

from .models import EventType

REQUEST = "cases.servicerequest"
ITEM = "cases.caseitem"

BY_VERB: dict[str, str] = {
    AuditVerb.REQUEST_SUBMITTED: EventType.REQUEST_SUBMITTED,
    AuditVerb.REQUEST_ACCEPTED: EventType.REQUEST_ACCEPTED,
    AuditVerb.REQUEST_COMPLETED: EventType.REQUEST_COMPLETED,
    AuditVerb.ITEM_DEADLINE_PASSED: EventType.ITEM_OVERDUE,
    AuditVerb.EVALUATION_GIVEN: EventType.EVALUATION_RECEIVED,
    AuditVerb.RECTIFICATION_CLOSED: EventType.RECTIFICATION_CLOSED,
}

OBJECT_TYPES = {
    REQUEST: "request",
    ITEM: "item",
    "feedback.evaluation": "evaluation",
    "feedback.rectification": "rectification",
}


def _state(data: Any) -> str | None:
    value = data.get("state") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def event_types_of(entry: AuditEntry) -> list[str]:
    """The event types an audit entry stands for (usually none, at most one)."""
    if entry.verb in BY_VERB:
        return [BY_VERB[entry.verb]]
    if entry.target_type == ITEM:
        before, after = _state(entry.before), _state(entry.after)
        if after is not None and before != after:
            return [EventType.ITEM_STATE_CHANGED]
    return []


def event_payload(entry: AuditEntry, event_type: str, delivery_id: str) -> dict[str, Any]:
    """The signed JSON body: what happened, to which record, when — and the states, nothing personal (a
    subscriber with an API client reads the record itself)."""
    payload: dict[str, Any] = {
        "id": delivery_id,
        "type": event_type,
        "event_seq": entry.seq,
        "occurred_at": entry.at.isoformat(),
        "jurisdiction": entry.jurisdiction_code,
        "action": entry.verb,
        "object": {
            "type": OBJECT_TYPES.get(entry.target_type, entry.target_type),
            "id": entry.target_id,
            "label": entry.target_label,
        },
    }
    before, after = _state(entry.before), _state(entry.after)
    if after is not None:
        payload["state"] = {"before": before, "after": after}
    if event_type == EventType.ITEM_OVERDUE and isinstance(entry.after, dict):
        payload["deadline_on"] = entry.after.get("deadline_on")
    return payload


def provincial_rating_payload(entry: AuditEntry, delivery_id: str) -> dict[str, Any] | None:
    """One evaluation as the provincial 好差评 system takes it (a flat record of the three ratings on the
    national 1–5 scale); None when the evaluation is gone."""
    evaluation = (
        Evaluation.objects.select_related("request__jurisdiction", "request__project")
        .filter(pk=entry.target_id)
        .first()
        if entry.target_id.isdigit()
        else None
    )
    if evaluation is None:
        return None
    request = evaluation.request
    return {
        "reportId": delivery_id,
        "regionCode": request.jurisdiction.code,
        "serviceNo": request.reference,
        "projectCode": request.project.project_code,
        "projectName": request.project.name,
        "agentId": str(evaluation.agent_id),
        "attitude": evaluation.attitude,
        "efficiency": evaluation.efficiency,
        "integrity": evaluation.integrity,
        "overall": min(evaluation.levels),
        "isBad": evaluation.is_bad,
        "comment": evaluation.comment,
        "evaluatedAt": evaluation.given_at.isoformat(),
    }
