"""Operational figures for Prometheus and for the operator's page (issue #18, docs/operations.md): the outbox
backlog (per channel, and per outbox of `daiban.common.outbox`: messages and webhook deliveries) and the
daily jobs' lag. Read from the database at each scrape, so every app server answers the
same figures whichever one Prometheus reaches, and gunicorn's separate worker processes need no shared state.

It lives in the portal because it reads two layers (common's jobs, notifications' outbox) that must not
import each other."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from daiban.common.jobs import DailyJobState, daily_job_states
from daiban.common.outbox import Backlog, backlogs
from daiban.notifications.selectors import OutboxBacklog, outbox_backlog


@dataclass(frozen=True)
class Figures:
    outbox: OutboxBacklog
    outboxes: list[Backlog]
    jobs: list[DailyJobState]


def current_figures(*, now: dt.datetime) -> Figures:
    """The daily jobs register themselves when the apps' `tasks` modules are imported, which the worker
    (`run_huey`) does at start and an app server never needs to: import them here, as the worker does."""
    autodiscover_modules("tasks")
    return Figures(outbox=outbox_backlog(now=now), outboxes=backlogs(now=now), jobs=daily_job_states(now=now))


class _FiguresCollector(Collector):
    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        outbox = self.figures.outbox
        pending = GaugeMetricFamily(
            "daiban_outbox_pending", "Messages waiting to be sent, per channel", labels=["channel"]
        )
        failed = GaugeMetricFamily(
            "daiban_outbox_failed", "Messages given up after every attempt, per channel", labels=["channel"]
        )
        for channel, count in sorted(outbox.pending.items()):
            pending.add_metric([channel], count)
        for channel, count in sorted(outbox.failed.items()):
            failed.add_metric([channel], count)
        yield pending
        yield failed
        yield GaugeMetricFamily(
            "daiban_outbox_oldest_pending_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits)",
            value=outbox.oldest_pending_seconds,
        )
        yield from self._outboxes()
        lag = GaugeMetricFamily(
            "daiban_daily_job_lag_days",
            "Days a daily job is behind (a job that never ran: 1)",
            labels=["job"],
        )
        finished = GaugeMetricFamily(
            "daiban_daily_job_last_finished_timestamp",
            "When the daily job last finished a run, Unix time (0: never)",
            labels=["job"],
        )
        for job in self.figures.jobs:
            lag.add_metric([job.name], job.lag_days)
            finished.add_metric([job.name], job.finished_at.timestamp() if job.finished_at else 0)
        yield lag
        yield finished

    def _outboxes(self) -> Iterator[Metric]:
        families = {
            "pending": GaugeMetricFamily(
                "daiban_outbox_rows_pending", "Rows waiting to be sent, per outbox", labels=["outbox"]
            ),
            "failed": GaugeMetricFamily(
                "daiban_outbox_rows_failed",
                "Rows given up after every attempt, per outbox",
                labels=["outbox"],
            ),
            "oldest_pending_seconds": GaugeMetricFamily(
                "daiban_outbox_rows_oldest_pending_seconds",
                "Age of the oldest row waiting to be sent, per outbox (0 when none waits)",
                labels=["outbox"],
            ),
        }
        for backlog in self.figures.outboxes:
            for field, family in families.items():
                family.add_metric([backlog.name], getattr(backlog, field))
        yield from families.values()


def prometheus_text(figures: Figures) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_FiguresCollector(figures))
    return generate_latest(registry)
