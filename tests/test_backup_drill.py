"""Restore drill (issue #18): a populated database and its uploads are backed up, changed, and restored; every
table and every file must be exactly as backed up, and the outbox must send nothing twice. On SQLite in the
normal suite; on PostgreSQL (pg_dump/pg_restore) when DATABASE_URL points there. A backup that does not match
its manifest is refused before anything changes."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from daiban.cases.models import RequestDocument
from daiban.cases.services import submit_request
from daiban.cases.tests.conftest import data, items, park_project, pdf, rep, staff, town_project  # noqa: F401
from daiban.common.backup import BackupError, create_backup, restore_backup, table_counts
from daiban.notifications.channels import RecordingSmsGateway
from daiban.notifications.models import OnceKey, OutboundMessage
from daiban.notifications.services import claim_lease, claim_next, deliver_pending, notify, notify_once
from daiban.organizations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path: Path) -> FileSystemStorage:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return FileSystemStorage(location=root)


@pytest.fixture(autouse=True)
def gateway():
    RecordingSmsGateway.sent.clear()
    RecordingSmsGateway.keys.clear()
    RecordingSmsGateway.down = False
    return RecordingSmsGateway


def every_row() -> dict[str, list[tuple[Any, ...]]]:
    """Every table's full content, in a stable order."""
    content = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")  # noqa: S608
            content[name] = sorted(cursor.fetchall(), key=repr)
    return content


def every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def populated(media, park_project, rep, items, staff):  # noqa: F811
    """A request with two documents; sent messages and a reminder key; one message claimed by a worker that
    has not confirmed it (as when the backup runs in the middle of a delivery); one still waiting."""
    request = submit_request(
        project=park_project, data=data(items, documents=[pdf(), pdf("规划.pdf")]), by=rep, channel="online"
    )
    person = UserFactory.create(mobile="13800138000", email="agent@example.cn")
    notify_once(key="due_soon:1:2026-10-08", recipients=[person], verb="item.due_soon", title="临期")
    deliver_pending()
    assert not OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING).exists()
    notify(recipients=[person], verb="item.overdue", title="超期")
    claimed = claim_next(now=timezone.now())
    assert claimed is not None and claimed.claim_token is not None
    return request


def test_a_backup_restores_every_table_and_file_and_sends_nothing_twice(populated, media, tmp_path, gateway):
    before_rows, before_files = every_row(), every_file(Path(media.location))
    assert len(before_files) == 2
    sent_keys = {
        str(k)
        for k in OutboundMessage.objects.filter(status=OutboundMessage.Status.SENT).values_list(
            "delivery_key", flat=True
        )
    }
    claimed = OutboundMessage.objects.get(claim_token__isnull=False, status=OutboundMessage.Status.PENDING)
    waiting = OutboundMessage.objects.get(claim_token__isnull=True, status=OutboundMessage.Status.PENDING)
    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"] == table_counts()
    assert sorted(f["name"] for f in manifest["files"]) == sorted(before_files)

    # After the backup: more work, lost rows, a lost and a changed file.
    RequestDocument.objects.first().file.delete(save=False)
    path = Path(media.location) / RequestDocument.objects.last().file.name
    path.write_bytes(b"overwritten")
    OutboundMessage.objects.all().delete()
    OnceKey.objects.all().delete()
    UserFactory.create_batch(3)

    call_command("restore", str(tmp_path / "backup"))
    assert every_row() == before_rows
    assert every_file(Path(media.location)) == before_files

    # The outbox after the restore: sent stays sent, the reminder key holds, the waiting message goes out,
    # the claimed one only when its lease has run out — with the key it had, so the gateway can tell.
    assert notify_once(key="due_soon:1:2026-10-08", recipients=[], verb="item.due_soon", title="临期") == []
    gateway.keys.clear()
    now = timezone.now()
    deliver_pending(now=now)
    assert OutboundMessage.objects.get(pk=waiting.pk).status == OutboundMessage.Status.SENT
    assert OutboundMessage.objects.get(pk=claimed.pk).status == OutboundMessage.Status.PENDING
    deliver_pending(now=now + claim_lease() + dt.timedelta(seconds=1))
    assert OutboundMessage.objects.get(pk=claimed.pk).status == OutboundMessage.Status.SENT
    assert not sent_keys & set(gateway.keys)  # nothing sent before the backup went out again
    sms = {str(m.delivery_key) for m in (claimed, waiting) if m.channel == "sms"}
    assert sorted(gateway.keys) == sorted(sms)


def tamper(directory: Path, change) -> None:  # type: ignore[no-untyped-def]
    manifest = json.loads((directory / "manifest.json").read_text())
    change(manifest)
    (directory / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "damage",
    ["media file changed", "media file added", "database changed", "manifest checksum", "newer migrations"],
)
def test_a_backup_that_does_not_match_its_manifest_is_refused_and_nothing_changes(
    populated, media, tmp_path, damage
):
    backup = tmp_path / "backup"
    create_backup(directory=backup)
    first = json.loads((backup / "manifest.json").read_text())["files"][0]["name"]
    if damage == "media file changed":
        (backup / "media" / first).write_bytes(b"not what was backed up")
    elif damage == "media file added":
        (backup / "media" / "stray.pdf").write_bytes(b"%PDF")
    elif damage == "database changed":
        database = next(p for p in backup.iterdir() if p.name.startswith("database."))
        with database.open("ab") as f:
            f.write(b"\0")
    elif damage == "manifest checksum":
        tamper(backup, lambda m: m["files"][0].update(sha256="0" * 64))
    else:
        tamper(backup, lambda m: m["migrations"].append("cases.9999_from_the_future"))
    rows = every_row()
    UserFactory.create()  # a change the refused restore must not undo
    rows = every_row()
    with pytest.raises(BackupError):
        restore_backup(directory=backup)
    with pytest.raises(CommandError):
        call_command("restore", str(backup), "--check")
    assert every_row() == rows


def test_a_backup_goes_only_into_a_new_or_empty_directory(media, tmp_path, db):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"))
    media.save("x.pdf", ContentFile(b"%PDF"))
    summary = create_backup(directory=tmp_path / "new")
    assert summary.files == 1
