"""The four state graphs speak the audit trail's vocabulary: every move's verb is an `AuditVerb`, and no
two moves share one (the history would not tell them apart)."""

from daiban.cases.workflows import ACCEPTANCE, ITEM, REQUEST
from daiban.common.audit import AuditVerb
from daiban.feedback.workflows import RECTIFICATION
from daiban.oversight.workflows import ISSUE


def test_every_move_has_its_own_audit_verb():
    verbs = [m.verb for wf in (REQUEST, ITEM, ACCEPTANCE, ISSUE, RECTIFICATION) for m in wf.moves]
    assert all(isinstance(v, AuditVerb) for v in verbs)
    assert len(set(verbs)) == len(verbs)
