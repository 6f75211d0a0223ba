"""Jobs that cannot lose work (ADR 0007).

- `isolated(counts, what, pk)`: one item of a sweep in its own savepoint; an error is logged and counted as
  `failed`, and the sweep goes on with the others. The item's keyed notification was not written, so the
  retry sends it.
- `daily_job(name, at=...)`: registers a daily job. The minute tick (`common.tasks.run_daily_jobs`, and once
  when a worker starts) runs every job whose latest scheduled day is not yet covered — on time, after an
  outage, or `RETRY_AFTER` later when the last run had failures. Only the latest missed day runs: every
  daily job derives what to send from stored dates on the day given and keys it, so the latest day covers
  what an earlier one would have sent (a reminder still due is sent, one superseded is not).
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import DailyJobRun

logger = logging.getLogger(__name__)

RETRY_AFTER = dt.timedelta(minutes=15)
# A run's claim; a worker that dies mid-run leaves the job to the next tick after this.
RUN_LEASE = dt.timedelta(hours=1)

DailyRun = Callable[[dt.date], Mapping[str, int]]


@contextmanager
def isolated(counts: dict[str, int], what: str, pk: object) -> Iterator[None]:
    """Run one item of a sweep so that its failure costs only itself: a savepoint (on PostgreSQL an error
    would otherwise abort the caller's transaction), the exception logged, `counts["failed"]` raised."""
    try:
        with transaction.atomic():
            yield
    except Exception:
        logger.exception("%s %s failed; the sweep goes on and retries it", what, pk)
        counts["failed"] = counts.get("failed", 0) + 1


@dataclass(frozen=True)
class DailyJob:
    name: str
    at: dt.time  # local time (Asia/Shanghai)
    run: DailyRun

    def due_day(self, now: dt.datetime) -> dt.date:
        """The latest day whose scheduled time has passed."""
        local = timezone.localtime(now)
        return local.date() if local.time() >= self.at else local.date() - dt.timedelta(days=1)


DAILY_JOBS: dict[str, DailyJob] = {}


def daily_job(name: str, *, at: dt.time) -> Callable[[DailyRun], DailyRun]:
    def register(run: DailyRun) -> DailyRun:
        DAILY_JOBS[name] = DailyJob(name=name, at=at, run=run)
        return run

    return register


def run_due_daily_jobs(*, now: dt.datetime | None = None) -> dict[str, str]:
    """Run each registered daily job whose day is not covered yet; what each did ("covered", "failed")."""
    done = {}
    for job in list(DAILY_JOBS.values()):
        outcome = run_if_due(job, now=now or timezone.now())
        if outcome is not None:
            done[job.name] = outcome
    return done


def run_if_due(job: DailyJob, *, now: dt.datetime) -> str | None:
    day = job.due_day(now)
    if not _claim(job, day=day, now=now):
        return None
    try:
        counts = dict(job.run(day))
    except Exception as exc:
        logger.exception("daily job %s for %s failed; retried after %s", job.name, day, RETRY_AFTER)
        counts = {"error": 1}
        error = f"{type(exc).__name__}: {exc}"[:500]
    else:
        error = ""
    mine = DailyJobRun.objects.filter(job=job.name)
    if error or counts.get("failed"):
        mine.update(running_until=None, retry_at=now + RETRY_AFTER, outcome={"day": str(day), **counts})
        return "failed"
    mine.update(
        covered_on=day,
        running_until=None,
        retry_at=None,
        finished_at=timezone.now(),
        outcome={"day": str(day), **counts},
    )
    return "covered"


def _claim(job: DailyJob, *, day: dt.date, now: dt.datetime) -> bool:
    """Take the job's run for `day` if no other worker holds it (one conditional update)."""
    try:
        with transaction.atomic():
            DailyJobRun.objects.get_or_create(job=job.name)
    except IntegrityError:
        pass  # another worker created the row at the same moment
    return bool(
        DailyJobRun.objects.filter(job=job.name)
        .filter(Q(covered_on__isnull=True) | Q(covered_on__lt=day))
        .filter(Q(running_until__isnull=True) | Q(running_until__lt=now))
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .update(running_until=now + RUN_LEASE)
    )
