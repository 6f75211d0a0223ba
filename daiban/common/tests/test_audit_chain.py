"""The audit trail's hash chain and its database-level protection (等保 安全审计; ADR 0013)."""

import datetime
import gzip
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from daiban.common import audit_chain
from daiban.common.audit import AuditVerb, from_address, record
from daiban.common.middleware import AuditMiddleware, client_address
from daiban.common.models import AuditChainHead, AuditEntry

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def entries(youyang: Any, count: int) -> list[AuditEntry]:
    unit = youyang.units.get(code="zjw")
    return [
        record(actor=None, verb=AuditVerb.PROJECT_UPDATED, target=unit, after={"n": i, "名称": "单位"})
        for i in range(count)
    ]


def tamper(sql: str, params: list[Any]) -> None:
    """What someone with the database owner's rights could do: bypass the trigger and change rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # a superuser's way round triggers
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.mark.django_db
def test_sealing_gives_consecutive_positions_and_an_intact_chain(youyang):
    made = entries(youyang, 5)
    audit_chain.seal_all()
    sealed = list(AuditEntry.objects.filter(pk__in=[e.pk for e in made]).order_by("seq"))
    assert [e.pk for e in sealed] == [e.pk for e in made]  # id order
    seqs = [e.seq or 0 for e in sealed]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    assert all(len(e.chain_hash) == 64 for e in sealed)
    report = audit_chain.verify()
    assert report.intact, report.broken
    assert report.unsealed == 0
    assert AuditChainHead.objects.get().last_seq == report.last_seq
    # Sealing again changes nothing; a new entry continues the chain.
    assert audit_chain.seal_all() == 0
    entries(youyang, 1)
    assert audit_chain.seal_all() == 1
    assert audit_chain.verify().intact


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("target_label", "改过的"),
        ("verb", "project.created"),
        ("after", '{"n": 99}'),
        ("from_address", "10.0.0.9"),
    ],
)
def test_verify_finds_an_edited_entry(youyang, column, value):
    made = entries(youyang, 4)
    audit_chain.seal_all()
    tamper(f"UPDATE common_auditentry SET {column} = %s WHERE id = %s", [value, made[2].pk])  # noqa: S608
    report = audit_chain.verify()
    assert not report.intact
    assert f"entry {made[2].pk}" in report.broken[0] and "edited" in report.broken[0]
    with pytest.raises(CommandError, match=f"entry {made[2].pk}"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_verify_finds_a_deleted_entry_in_the_middle_and_at_the_end(youyang):
    made = entries(youyang, 4)
    audit_chain.seal_all()
    tamper("DELETE FROM common_auditentry WHERE id = %s", [made[1].pk])
    report = audit_chain.verify()
    assert not report.intact and "deleted" in report.broken[0] and f"entry {made[2].pk}" in report.broken[0]

    tamper("DELETE FROM common_auditentry WHERE id >= %s", [made[1].pk])
    report = audit_chain.verify()
    assert not report.intact and "newest entries were deleted" in report.broken[0]


@pytest.mark.django_db
def test_verify_command_reports_an_intact_chain(youyang, capsys):
    entries(youyang, 3)
    call_command("verify_audit")
    assert "audit chain intact" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_entry_that_commits_late_is_sealed_after_the_others(youyang):
    """Chain order is sealing order: a lower id that commits after higher ids were sealed still joins."""
    made = entries(youyang, 3)
    in_flight = AuditEntry.objects.get(pk=made[1].pk)
    tamper("DELETE FROM common_auditentry WHERE id = %s", [in_flight.pk])  # not committed yet
    audit_chain.seal_all()
    in_flight.save(force_insert=True)  # its transaction commits now, with its lower id
    audit_chain.seal_all()
    late, sealed_before = (AuditEntry.objects.get(pk=e.pk).seq or 0 for e in (in_flight, made[2]))
    assert late > sealed_before
    assert audit_chain.verify().intact


@pytest.mark.django_db
def test_archive_moves_old_entries_to_a_file_and_the_rest_still_verifies(youyang, tmp_path):
    made = entries(youyang, 6)
    old = timezone.now() - datetime.timedelta(days=200)
    tamper("UPDATE common_auditentry SET at = %s WHERE id <= %s", [old, made[3].pk])  # before sealing
    with pytest.raises(ValueError, match="at least 180 days"):
        audit_chain.archive(older_than_days=30, directory=tmp_path)
    result = audit_chain.archive(older_than_days=180, directory=tmp_path)
    assert result is not None
    archived_ids = set(AuditEntry.objects.filter(pk__lte=made[3].pk).values_list("pk", flat=True))
    assert archived_ids == set()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in made[4:]]).count() == 2
    lines = gzip.decompress(result.path.read_bytes()).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines][-4:] == [e.pk for e in made[:4]]
    manifest = json.loads(result.path.with_suffix("").with_suffix(".manifest.json").read_text())
    assert manifest["last_seq"] == result.last_seq and manifest["entries"] == len(lines)
    report = audit_chain.verify()
    assert report.intact, report.broken
    assert report.first_seq == result.last_seq + 1


@on_postgresql
@pytest.mark.django_db
def test_the_database_refuses_to_update_or_delete_an_entry(youyang):
    made = entries(youyang, 2)
    for statement, params in [
        ("UPDATE common_auditentry SET target_label = 'x' WHERE id = %s", [made[0].pk]),
        ("DELETE FROM common_auditentry WHERE id = %s", [made[0].pk]),
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)
    # The ORM is refused the same way, and even sealing may not change the content.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=made[0].pk).update(target_label="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=made[0].pk).update(seq=10**9, chain_hash="f" * 64, verb="x.edited")
    audit_chain.seal_all()  # the one allowed update
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=made[0].pk).update(seq=None, chain_hash="")  # nor unseal
    assert audit_chain.verify().intact


def test_client_address_is_the_configured_header_and_only_an_address(settings):
    factory = RequestFactory()
    assert client_address(factory.get("/", REMOTE_ADDR="10.1.2.3")) == "10.1.2.3"
    assert client_address(factory.get("/", REMOTE_ADDR="not-an-ip")) is None
    settings.DAIBAN_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(factory.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 172.16.0.5")) == "172.16.0.5"
    assert client_address(factory.get("/", HTTP_X_FORWARDED_FOR="<script>")) is None


@pytest.mark.django_db
def test_entries_made_while_serving_a_request_say_where_it_came_from(youyang):
    unit = youyang.units.get(code="zjw")

    def view(request):
        record(actor=None, verb=AuditVerb.PROJECT_UPDATED, target=unit)
        return HttpResponse()

    AuditMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="192.168.7.8"))
    assert AuditEntry.objects.latest("id").from_address == "192.168.7.8"
    with from_address(None):
        assert record(actor=None, verb=AuditVerb.PROJECT_UPDATED, target=unit).from_address is None


@pytest.mark.django_db
def test_a_refused_page_is_recorded_with_who_and_from_where(client, yy_supervisor):
    client.force_login(yy_supervisor)
    response = client.get("/admin/", REMOTE_ADDR="10.9.8.7")  # not staff: the admin redirects, not refuses
    assert response.status_code == 302
    response = client.get("/requests/window/new/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 403
    entry = AuditEntry.objects.filter(verb=AuditVerb.ACCESS_REFUSED).latest("id")
    assert entry.actor == yy_supervisor
    assert entry.from_address == "10.9.8.7"
    assert entry.target_label == "GET /requests/window/new/"
    assert entry.jurisdiction_code == "500242"  # the refused person's


@pytest.mark.django_db
def test_a_refusal_keeps_its_reason_and_a_page_rendered_403_is_recorded_too(rf):
    def refusing(request):
        raise PermissionDenied("只有本事项的帮代办员可以报件")

    middleware = AuditMiddleware(lambda request: HttpResponse(status=403))
    middleware(rf.post("/x/", REMOTE_ADDR="10.0.0.2"))  # a view that rendered its own 403 page
    entry = AuditEntry.objects.filter(verb=AuditVerb.ACCESS_REFUSED).latest("id")
    assert (entry.target_label, entry.from_address, entry.after) == ("POST /x/", "10.0.0.2", None)

    request = rf.get("/y/")
    middleware = AuditMiddleware(lambda r: HttpResponse(status=403))
    try:
        refusing(request)
    except PermissionDenied as refusal:
        middleware.process_exception(request, refusal)
    middleware(request)
    entry = AuditEntry.objects.filter(verb=AuditVerb.ACCESS_REFUSED).latest("id")
    assert entry.after == {"reason": "只有本事项的帮代办员可以报件"}


@pytest.mark.django_db
def test_what_people_typed_is_recorded_without_nul_characters(youyang):
    """PostgreSQL's text and JSON refuse NUL: a query string or reason carrying one is still recorded."""
    unit = youyang.units.get(code="zjw")
    entry = record(
        actor=None,
        verb=AuditVerb.DATA_EXPORTED,
        target=unit,
        label="导出\x00台账",
        after={"filters": {"j": "\x00500242", "k\x00": ["a\x00b"]}},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.target_label == "导出台账"
    assert stored.after == {"filters": {"j": "500242", "k": ["ab"]}}
    audit_chain.seal_all()
    assert audit_chain.verify().intact
