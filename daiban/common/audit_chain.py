"""The audit trail's hash chain: tamper evidence for 等保 安全审计 (ADR 0013).

Entries are written by `audit.record` inside the transaction of the write they describe, so they commit
(or vanish) with it, in whatever order concurrent transactions happen to commit. Giving each entry its
chain position at insert would serialise every audited write in the system on one lock until its commit
(and invite deadlocks with the rows the write itself locks). Instead `seal` runs after the fact — every
minute in the worker, and before any verification or archive — and, holding the chain head's lock, gives
each committed entry not yet sealed the next position and `sha256(previous hash + canonical content)`.
A row that commits late (a lower id after higher ones were sealed) simply gets a later position.

`verify` walks the chain by position and reports the first broken link: an entry whose content no longer
gives its hash (edited), a missing position (deleted), or a chain that ends before the head says it does
(the newest entries deleted).
"""

import datetime
import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEntry

SEAL_BATCH = 1000
KEEP_DAYS = 180  # 等保 2.0 level 3 and the Cybersecurity Law: logs kept at least six months


def canonical(entry: AuditEntry, seq: int) -> bytes:
    """The entry's content as the chain hashes it: every column but the chain's own, in a fixed form
    (sorted keys, UTC timestamps) that reads back the same from SQLite and PostgreSQL."""
    at = entry.at.astimezone(datetime.UTC).isoformat(timespec="microseconds") if entry.at else ""
    data = {
        "seq": seq,
        "id": entry.pk,
        "at": at,
        "actor": entry.actor_id,
        "verb": entry.verb,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "jurisdiction": entry.jurisdiction_code,
        "from": entry.from_address,
        "before": entry.before,
        "after": entry.after,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def link_hash(previous: str, entry: AuditEntry, seq: int) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(entry, seq)).hexdigest()


def _head_for_update() -> AuditChainHead:
    AuditChainHead.objects.get_or_create(pk=1)
    return AuditChainHead.objects.select_for_update().get(pk=1)


def seal(*, limit: int = SEAL_BATCH) -> int:
    """Seal up to `limit` committed entries in id order; return how many. Safe to run anywhere, any time:
    concurrent sealers wait for each other on the head row."""
    with transaction.atomic():
        head = _head_for_update()
        entries = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:limit])
        seq, previous = head.last_seq, head.last_hash
        for entry in entries:
            seq += 1
            previous = link_hash(previous, entry, seq)
            AuditEntry.objects.filter(pk=entry.pk, seq__isnull=True).update(seq=seq, chain_hash=previous)
        if entries:
            head.last_seq, head.last_hash = seq, previous
            head.save(update_fields=["last_seq", "last_hash"])
    return len(entries)


def seal_all() -> int:
    total = 0
    while count := seal():
        total += count
    return total


@dataclass
class ChainReport:
    checked: int = 0
    unsealed: int = 0
    first_seq: int = 0
    last_seq: int = 0
    broken: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.broken


def _by_position(after_seq: int) -> Iterator[AuditEntry]:
    last = after_seq
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:SEAL_BATCH])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq or last


def verify() -> ChainReport:
    """Recompute the chain from the archive point to the head; stop at the first broken link."""
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_seq=0)
    report = ChainReport(first_seq=head.archived_through_seq + 1)
    expected, previous = head.archived_through_seq + 1, head.archived_hash
    for entry in _by_position(head.archived_through_seq):
        assert entry.seq is not None
        if entry.seq != expected:
            report.broken.append(
                f"position {expected}–{entry.seq - 1} missing before entry {entry.pk} (deleted entries)"
            )
            return report
        if link_hash(previous, entry, entry.seq) != entry.chain_hash:
            report.broken.append(f"entry {entry.pk} at position {entry.seq} does not match its hash (edited)")
            return report
        previous, expected = entry.chain_hash, expected + 1
        report.checked += 1
        report.last_seq = entry.seq
    if expected - 1 != head.last_seq:
        report.broken.append(
            f"the chain ends at position {expected - 1} but was sealed up to {head.last_seq} "
            "(the newest entries were deleted)"
        )
    elif previous != head.last_hash:
        report.broken.append(f"the last entry's hash differs from the head's at position {head.last_seq}")
    report.unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
    return report


@dataclass(frozen=True)
class ArchiveResult:
    path: Path
    count: int
    first_seq: int
    last_seq: int
    sha256: str


def archive(*, older_than_days: int, directory: Path) -> ArchiveResult | None:
    """Move sealed entries older than `older_than_days` (at least `KEEP_DAYS`) into a gzipped JSON-lines
    file with a manifest, then delete them from the table; the head keeps the hash the remaining chain
    continues from. Only a prefix of the chain is archived, so the rest still verifies on its own."""
    if older_than_days < KEEP_DAYS:
        raise ValueError(f"audit entries are kept at least {KEEP_DAYS} days")
    seal_all()
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    with transaction.atomic():
        head = _head_for_update()
        newer = AuditEntry.objects.filter(seq__gt=head.archived_through_seq, at__gte=cutoff).order_by("seq")
        stop = newer.values_list("seq", flat=True).first()
        rows = AuditEntry.objects.filter(seq__gt=head.archived_through_seq)
        if stop is not None:
            rows = rows.filter(seq__lt=stop)
        rows = rows.order_by("seq")
        last = rows.last()
        if last is None or last.seq is None:
            return None
        first_seq = head.archived_through_seq + 1
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"audit-{first_seq:012d}-{last.seq:012d}.jsonl.gz"
        digest = hashlib.sha256()
        count = 0
        with gzip.open(path, "wb") as out:
            for entry in rows.iterator(chunk_size=SEAL_BATCH):
                assert entry.seq is not None
                line = canonical(entry, entry.seq)[:-1] + f',"chain_hash":"{entry.chain_hash}"}}\n'.encode()
                out.write(line)
                digest.update(line)
                count += 1
        manifest: dict[str, Any] = {
            "file": path.name,
            "entries": count,
            "first_seq": first_seq,
            "last_seq": last.seq,
            "continues_from_hash": head.archived_hash,
            "last_hash": last.chain_hash,
            "content_sha256": digest.hexdigest(),
            "archived_at": timezone.now().isoformat(),
        }
        path.with_suffix("").with_suffix(".manifest.json").write_text(json.dumps(manifest, indent=2))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL daiban.audit_archive = 'on'")
        rows.delete()
        head.archived_through_seq, head.archived_hash = last.seq, last.chain_hash
        head.save(update_fields=["archived_through_seq", "archived_hash"])
    return ArchiveResult(path, count, first_seq, last.seq, digest.hexdigest())
