import pytest

from daiban.common.audit import changed, record, snapshot
from daiban.common.models import AuditEntry


@pytest.mark.django_db
def test_record_keeps_who_what_before_and_after(youyang):
    unit = youyang.units.get(code="zjw")
    entry = record(
        actor=None,
        verb="unit.renamed",
        target=unit,
        before={"name": "old"},
        after={"name": unit.name},
        jurisdiction_code="500242",
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.target_type == "organizations.unit"
    assert stored.target_id == str(unit.pk)
    assert stored.before == {"name": "old"}
    assert stored.after == {"name": "酉阳自治县住房和城乡建设委员会"}


@pytest.mark.django_db
def test_audit_verbs_must_be_dotted(youyang):
    with pytest.raises(ValueError, match="dotted"):
        record(actor=None, verb="renamed", target=youyang)


@pytest.mark.django_db
def test_snapshot_is_json_ready(yy_project):
    yy_project.refresh_from_db()
    data = snapshot(yy_project, ["investment_amount", "location", "created_at"])
    assert data["investment_amount"] == "1000.00"
    assert data["location"] == yy_project.location_id
    assert isinstance(data["created_at"], str)
    assert changed({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": 2}
