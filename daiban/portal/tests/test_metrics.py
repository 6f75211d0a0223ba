"""/metrics (Prometheus text, behind a bearer token) and 运行状态 (the operator's page) report the outbox
backlog (messages per channel, and per outbox of the common runner) and the daily jobs' lag as the database
has them at that moment. The webhook outbox's figures: daiban/integrations/tests/test_outbox_metrics.py."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from daiban.common.jobs import DAILY_JOBS
from daiban.common.models import DailyJobRun
from daiban.notifications.models import Notification, OutboundMessage
from daiban.notifications.services import notify
from daiban.organizations.models import Role
from daiban.organizations.tests.factories import UserFactory

TOKEN = "scrape-token-for-tests"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def figures(db):
    """Two messages waiting since an hour ago, one given up; one job two days behind, the others never ran."""
    person = UserFactory.create(mobile="13800138000", email="agent@example.cn")
    notify(recipients=[person], verb="item.overdue", title="超期")
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    OutboundMessage.objects.filter(channel="email").update(status=OutboundMessage.Status.PENDING)
    failed_note = notify(
        recipients=[UserFactory.create(mobile="13900139000", email="")], verb="a.b", title="x"
    )
    OutboundMessage.objects.filter(notification__in=failed_note).update(status=OutboundMessage.Status.FAILED)
    name = sorted(DAILY_JOBS)[0]
    due = DAILY_JOBS[name].due_day(timezone.now())
    finished = timezone.now() - dt.timedelta(days=2)
    DailyJobRun.objects.create(job=name, covered_on=due - dt.timedelta(days=2), finished_at=finished)
    return name, finished


def samples(body: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_metrics_do_not_exist_without_a_token(client, settings, db):
    settings.DAIBAN_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, settings, db):
    settings.DAIBAN_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_metrics_report_the_outbox_and_the_daily_jobs(client, settings, figures):
    late_job, finished = figures
    assert len(DAILY_JOBS) >= 3  # the apps' jobs are registered in the web process too
    settings.DAIBAN_METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response["Content-Type"].startswith("text/plain")
    got = samples(response.content)
    assert got[("daiban_outbox_pending", (("channel", "sms"),))] == 1
    assert got[("daiban_outbox_pending", (("channel", "email"),))] == 1
    assert got[("daiban_outbox_failed", (("channel", "sms"),))] == 1
    assert 3590 <= got[("daiban_outbox_oldest_pending_seconds", ())] <= 3700
    assert got[("daiban_outbox_rows_pending", (("outbox", "outbound"),))] == 2
    assert got[("daiban_outbox_rows_failed", (("outbox", "outbound"),))] == 1
    assert 3590 <= got[("daiban_outbox_rows_oldest_pending_seconds", (("outbox", "outbound"),))] <= 3700
    for name in DAILY_JOBS:
        lag = got[("daiban_daily_job_lag_days", (("job", name),))]
        last = got[("daiban_daily_job_last_finished_timestamp", (("job", name),))]
        if name == late_job:
            assert lag == 2
            assert last == pytest.approx(finished.timestamp())
        else:
            assert (lag, last) == (1, 0)


def test_every_metric_the_operations_guide_names_is_served(client, settings, figures):
    """docs/operations.md tells the operator what to alert on by metric name: each must exist."""
    named = set(re.findall(r"`(daiban_[a-z_]+)", (ROOT / "docs" / "operations.md").read_text()))
    assert len(named) >= 6
    settings.DAIBAN_METRICS_TOKEN = TOKEN
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content
    served = {family.name for family in text_string_to_metric_families(body.decode())}
    assert named <= served, named - served


def test_the_operator_page_shows_the_same_figures_to_the_superuser_only(client, figures, youyang, make_staff):
    late_job, _ = figures
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    page = client.get(reverse("operations_status")).content.decode()
    assert "运行状态" in page
    assert 'data-metric="pending-sms">1<' in page
    assert f'data-metric="lag-{late_job}">2<' in page
    assert 'data-metric="outbox-pending-outbound">2<' in page
    assert 'data-metric="outbox-failed-outbound">1<' in page
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    assert client.get(reverse("operations_status")).status_code == 403
