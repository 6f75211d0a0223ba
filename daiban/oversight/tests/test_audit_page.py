"""安全审计: the audit page shows a jurisdiction's trail to its supervisors and administrators only, filters
it, refuses bad filters with a message, and records its own exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from daiban.common.audit import AuditVerb, record
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role

URL = reverse("oversight:audit_list")


@pytest.fixture
def trail(youyang, dazu):
    yy_unit, dz_unit = youyang.units.get(code="zjw"), dazu.units.first()
    record(actor=None, verb=AuditVerb.PROJECT_UPDATED, target=yy_unit, label="酉阳记录<script>x</script>")
    record(actor=None, verb=AuditVerb.ITEM_FILED, target=yy_unit, label="酉阳报件")
    record(actor=None, verb=AuditVerb.PROJECT_UPDATED, target=dz_unit, label="大足记录")


@pytest.mark.django_db
def test_each_jurisdiction_sees_its_own_trail_escaped(client, trail, yy_supervisor, dz_supervisor):
    client.force_login(yy_supervisor)
    page = client.get(URL).content.decode()
    assert "酉阳记录" in page and "大足记录" not in page
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    client.force_login(dz_supervisor)
    page = client.get(URL).content.decode()
    assert "大足记录" in page and "酉阳记录" not in page


@pytest.mark.django_db
def test_the_administrator_reads_it_and_other_roles_may_not(client, trail, youyang, make_staff):
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    assert "酉阳报件" in client.get(URL).content.decode()
    client.force_login(make_staff(Role.AGENT, youyang, "zjw"))
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_filters_narrow_the_trail(client, trail, yy_supervisor):
    client.force_login(yy_supervisor)
    page = client.get(URL, {"verb": "item."}).content.decode()
    assert "酉阳报件" in page and "酉阳记录" not in page
    page = client.get(URL, {"what": "记录"}).content.decode()
    assert "酉阳记录" in page and "酉阳报件" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"from_on": "2026-13-40"},
        {"from_on": "2026-12-01", "to_on": "2026-11-01"},
        {"verb": "'; DROP TABLE x"},
        {"address": "999.1.1.1"},
        {"who": "x" * 65},
    ],
)
def test_bad_filters_are_refused_with_a_message(client, trail, yy_supervisor, query):
    client.force_login(yy_supervisor)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert client.get(reverse("oversight:audit_export"), query).status_code == 400


@pytest.mark.django_db
def test_the_export_is_the_filtered_trail_and_is_itself_recorded(client, trail, yy_supervisor):
    client.force_login(yy_supervisor)
    response = client.get(reverse("oversight:audit_export"), {"what": "酉阳记录"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    objects = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(objects) == 1 and "酉阳记录<script>" in str(objects[0])
    export = AuditEntry.objects.filter(verb=AuditVerb.DATA_EXPORTED).get()
    assert export.actor == yy_supervisor and export.from_address == "10.0.0.1"
    assert export.after is not None
    assert export.after["filters"] == {"what": "酉阳记录"}
    assert export.jurisdiction_code == "500242"


@pytest.mark.django_db
def test_downloads_and_ledger_exports_are_recorded(client, yy_supervisor, quarter):
    client.force_login(yy_supervisor)
    response = client.get(reverse("oversight:ledger_export"), {"j": "500242", "year": 2026, "quarter": 3})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(verb=AuditVerb.DATA_EXPORTED).get()
    assert entry.actor == yy_supervisor and entry.jurisdiction_code == "500242"


@pytest.mark.django_db
def test_the_export_writes_what_people_typed_as_text_never_a_formula(client, youyang, yy_supervisor):
    yy_supervisor.full_name = '=HYPERLINK("http://evil.example","点我")'
    yy_supervisor.save()
    record(actor=yy_supervisor, verb=AuditVerb.PROJECT_UPDATED, target=None, label="+cmd|' /C calc'!A0")
    client.force_login(yy_supervisor)
    response = client.get(reverse("oversight:audit_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert '=HYPERLINK("http://evil.example","点我")' in [c.value for c in cells]
