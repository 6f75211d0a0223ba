"""The webhook outbox is on /metrics and on 运行状态 like the SMS/e-mail one (`common.outbox.backlogs`):
rows waiting, the oldest one's age, rows given up."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from daiban.common.audit import AuditVerb, record
from daiban.integrations.models import EventType, WebhookDelivery, WebhookSubscription
from daiban.integrations.services import fan_out
from daiban.organizations.models import Jurisdiction
from daiban.organizations.tests.factories import UserFactory

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def waiting(db: None) -> None:
    """Three deliveries queued two hours ago; one given up."""
    county = Jurisdiction.objects.create(code="500242", name="酉阳")
    WebhookSubscription.objects.create(
        jurisdiction=county, name="工改", url="http://127.0.0.1:9/", event_types=[EventType.REQUEST_SUBMITTED]
    )
    fan_out()
    for _ in range(3):
        record(actor=None, verb=AuditVerb.REQUEST_SUBMITTED, target=county)
    assert fan_out()["queued"] == 3
    WebhookDelivery.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    WebhookDelivery.objects.filter(pk=WebhookDelivery.objects.earliest("id").pk).update(status="failed")


def test_the_webhook_backlog_is_on_metrics_and_the_operator_page(client, settings, waiting):
    settings.DAIBAN_METRICS_TOKEN = TOKEN
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    got = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }
    webhook = (("outbox", "webhook"),)
    assert got[("daiban_outbox_rows_pending", webhook)] == 2
    assert got[("daiban_outbox_rows_failed", webhook)] == 1
    assert 7190 <= got[("daiban_outbox_rows_oldest_pending_seconds", webhook)] <= 7300
    assert got[("daiban_outbox_rows_pending", (("outbox", "outbound"),))] == 0

    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    page = client.get(reverse("operations_status")).content.decode()
    assert 'data-metric="outbox-pending-webhook">2<' in page
    assert 'data-metric="outbox-failed-webhook">1<' in page
