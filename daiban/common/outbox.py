"""The one outbox runner (ADR 0007): claim a due row, attempt it outside any transaction, record the outcome.

Notifications' outbound messages (SMS, e-mail) and webhook deliveries are the same problem — send something
to another system at most once more than the system itself allows, and lose nothing — so they share this
loop and differ only in what an `Outbox` names: the table, how one row is sent, which field groups rows
behind one breaker (a channel, a subscriber), how long a claim lasts, and what else a recorded outcome
writes. A fix to the loop (a lease, a breaker, a kill) is then made once, and the kill and fault tests of
either outbox prove the other's loop too.

A row takes part through its fields: `status` ("pending", "sent", "failed"), `attempts`, `next_attempt_at`
(also the claim's lease), `claim_token`, `last_error`, `sent_at`.
"""

import collections
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_ATTEMPTS = 10
CLAIM_CANDIDATES = 5
BREAKER_FAILURES = 3

Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True, kw_only=True)
class Outbox(Generic[Row]):
    """What one outbox is: the runner's parameters.

    - `model` — the table of rows to send; `due` narrows the rows that may be claimed (e.g. an active
      subscription); `related` is fetched with a claimed row for `send`.
    - `send(row)` — one attempt, outside any transaction; returns when the peer accepted it, raises
      otherwise. `expected` are the exceptions that are a peer's fault (logged without a traceback);
      any other exception is a failed attempt too, logged with one.
    - `breaker` — the field whose value shares one breaker: after BREAKER_FAILURES failures in a row for
      one value, the rest of the run leaves its rows alone (they stay due for the next run).
    - `lease()` — how long a claim belongs to its worker: longer than any one attempt may take.
    - `on_outcome(row, error, now)` — written in the outcome's transaction, only when the outcome was ours.
    - `created` — the field (path) holding when a row was written, for the age of the oldest waiting one.
    """

    name: str
    model: type[Row]
    created: str
    send: Callable[[Row], None]
    breaker: str
    lease: Callable[[], dt.timedelta]
    due: Q = field(default_factory=Q)
    related: tuple[str, ...] = ()
    expected: tuple[type[Exception], ...] = ()
    on_outcome: Callable[[Row, str | None, dt.datetime], None] | None = None


OUTBOXES: dict[str, Outbox[Any]] = {}


def register(outbox: Outbox[Row]) -> Outbox[Row]:
    """Name an outbox for the operator's figures (`backlog`): the metrics read every registered one, so a
    new outbox is watched as soon as its module is imported (the worker imports them all at start)."""
    OUTBOXES[outbox.name] = outbox
    return outbox


@dataclass(frozen=True)
class Backlog:
    """What the operator watches of one outbox (docs/operations.md): rows waiting, how long the oldest has
    waited, rows given up."""

    name: str
    verbose_name: str
    pending: int
    failed: int
    oldest_pending_seconds: float


def backlog(outbox: Outbox[Any], *, now: dt.datetime) -> Backlog:
    rows = outbox.model._default_manager
    counts = {row["status"]: row["n"] for row in rows.values("status").annotate(n=models.Count("pk"))}
    oldest = rows.filter(status=PENDING).aggregate(at=models.Min(outbox.created))["at"]
    return Backlog(
        name=outbox.name,
        verbose_name=str(outbox.model._meta.verbose_name_plural),
        pending=counts.get(PENDING, 0),
        failed=counts.get(FAILED, 0),
        oldest_pending_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
    )


def backlogs(*, now: dt.datetime) -> list[Backlog]:
    return [backlog(outbox, now=now) for _, outbox in sorted(OUTBOXES.items())]


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def failure_text(error: str) -> str:
    """What a failure said, fit to store: a peer's garbage reply can hold NUL and control bytes, which
    PostgreSQL refuses in text (the outcome would not be recorded) and which no operator can read."""
    return "".join(c if c.isprintable() else "?" for c in error)[:255]


def deliver_pending(
    outbox: Outbox[Row], *, now: dt.datetime | None = None, batch: int = 200
) -> dict[str, int]:
    """Send what is due, one row at a time: claim it (a short transaction), attempt it outside any
    transaction, record the outcome (a short transaction, only while the claim is still ours).

    Safe to run from several workers at once (a claim is taken by one of them) and to run twice (a sent
    row is never claimed again). A worker killed while sending leaves its claim to run out; the row is then
    sent again with the same idempotency key, so at most the one row in flight can repeat, and only at a
    peer that ignores the key. Any failure reschedules the row with back-off; nothing is dropped and no
    peer's error stops the run. Meant to run outside a transaction (the worker's autocommit): sending
    inside one would hold the database for as long as the peer takes.

    A breaker value (channel, subscriber) that fails BREAKER_FAILURES times in a row is left alone for the
    rest of the run, so a hanging peer costs a run a few deadlines, not one per row of the batch, and the
    others still go out meanwhile.
    """
    counts = {SENT: 0, "retry": 0, FAILED: 0}
    failing_in_a_row: collections.Counter[Hashable] = collections.Counter()
    for _ in range(batch):
        broken = {key for key, n in failing_in_a_row.items() if n >= BREAKER_FAILURES}
        row = claim_next(outbox, now=now or timezone.now(), skip=broken)
        if row is None:
            break
        error = attempt(outbox, row)
        key = getattr(row, outbox.breaker)
        failing_in_a_row[key] = failing_in_a_row[key] + 1 if error else 0
        outcome = record_outcome(outbox, row=row, error=error, now=now or timezone.now())
        if outcome is not None:
            counts[outcome] += 1
    return counts


def claim_next(outbox: Outbox[Row], *, now: dt.datetime, skip: Collection[Hashable] = ()) -> Row | None:
    """Take the next due row for this worker: a new claim token, the attempt counted, and the lease as its
    next attempt time, so it is due again only if this worker does not come back in time. The update is
    conditional, so of two workers that read the same row (SQLite has no row locks) one gets it."""
    rows = outbox.model._default_manager
    with transaction.atomic():
        candidates = list(
            rows.select_for_update(skip_locked=True)
            .filter(outbox.due, status=PENDING, next_attempt_at__lte=now)
            .exclude(**{f"{outbox.breaker}__in": skip})
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:CLAIM_CANDIDATES]
        )
        for pk in candidates:
            taken = rows.filter(pk=pk, status=PENDING, next_attempt_at__lte=now).update(
                claim_token=uuid.uuid4(), next_attempt_at=now + outbox.lease(), attempts=F("attempts") + 1
            )
            if taken:
                return rows.select_related(*outbox.related).get(pk=pk)
    return None


def attempt(outbox: Outbox[Row], row: Row) -> str | None:
    """One attempt, outside any transaction: None when the peer accepted it, else why not. Every exception
    counts as a failed attempt — a peer's garbage reply or an adapter's bug must cost one retry, not the
    run."""
    attempts = getattr(row, "attempts")  # noqa: B009 — every outbox row's field, unknown to Model's type
    try:
        outbox.send(row)
    except outbox.expected as exc:
        logger.warning("%s %s: attempt %s failed: %r", outbox.name, row.pk, attempts, str(exc))
        return failure_text(str(exc) or type(exc).__name__)
    except Exception as exc:
        logger.exception("%s %s: attempt %s raised", outbox.name, row.pk, attempts)
        return failure_text(f"{type(exc).__name__}: {exc}")
    return None


def record_outcome(outbox: Outbox[Row], *, row: Row, error: str | None, now: dt.datetime) -> str | None:
    """Write what one attempt did, in one conditional update that holds only while the claim is ours (and,
    in the same transaction, the outbox's `on_outcome`); a claim that ran out and was taken by another
    worker is left to that worker (None)."""
    attempts: int = getattr(row, "attempts")  # noqa: B009
    changes: dict[str, Any]
    if error is None:
        outcome, changes = SENT, {"status": SENT, "sent_at": now, "last_error": ""}
    elif attempts >= MAX_ATTEMPTS:
        outcome, changes = FAILED, {"status": FAILED, "last_error": error}
    else:
        outcome, changes = "retry", {"next_attempt_at": now + backoff(attempts), "last_error": error}
    with transaction.atomic():
        token = getattr(row, "claim_token")  # noqa: B009
        mine = outbox.model._default_manager.filter(pk=row.pk, claim_token=token, status=PENDING)
        if not mine.update(claim_token=None, **changes):
            logger.warning(
                "%s %s: claim ran out before the outcome (%s) was recorded", outbox.name, row.pk, outcome
            )
            return None
        if outbox.on_outcome is not None:
            outbox.on_outcome(row, error, now)
    return outcome
