import re

import pytest

from daiban.common.audit import VERB_LABELS, AuditVerb, changed, jurisdiction_code_of, record, snapshot
from daiban.common.models import AuditEntry


@pytest.mark.django_db
def test_record_keeps_who_what_before_and_after(youyang):
    unit = youyang.units.get(code="zjw")
    entry = record(
        actor=None,
        verb=AuditVerb.PROJECT_UPDATED,
        target=unit,
        before={"name": "old"},
        after={"name": unit.name},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.target_type == "organizations.unit"
    assert stored.target_id == str(unit.pk)
    assert stored.before == {"name": "old"}
    assert stored.after == {"name": "酉阳自治县住房和城乡建设委员会"}
    assert stored.jurisdiction_code == "500242"  # derived from the unit, not passed by hand


@pytest.mark.django_db
def test_the_jurisdiction_is_derived_along_the_models_path(youyang, city):
    section = youyang.units.get(code="zjw").sections.get(code="spk")
    assert jurisdiction_code_of(section) == "500242"  # section → department → jurisdiction
    assert jurisdiction_code_of(youyang) == "500242"  # a jurisdiction is its own
    assert jurisdiction_code_of(city) == "500000"


PARTICIPLE = re.compile(
    r"^[a-z_]+\.[a-z_]*(ed|en|wn|done|sent|reset)(_up|_back|_in|_out)?$"
)  # withdrawn, followed_up, sent_back, logged_in, locked_out, password_reset


def test_audit_verbs_are_dotted_past_participles():
    """One vocabulary: `<noun>.<past participle>`, each verb once."""
    assert [v for v in AuditVerb if not PARTICIPLE.match(v)] == []
    assert len({v.value for v in AuditVerb}) == len(AuditVerb)


@pytest.mark.django_db
def test_snapshot_is_json_ready(yy_project):
    yy_project.refresh_from_db()
    data = snapshot(yy_project, ["investment_amount", "location", "created_at"])
    assert data["investment_amount"] == "1000.00"
    assert data["location"] == yy_project.location_id
    assert isinstance(data["created_at"], str)
    assert changed({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": 2}


def test_every_audit_verb_has_a_label():
    assert [v for v in AuditVerb if v not in VERB_LABELS] == []
