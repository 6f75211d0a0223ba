"""一事一评: the link texted after each item's delivery rates that item once, without sign-in."""

import datetime as dt
import os
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from daiban.cases.models import CaseItem
from daiban.cases.rating_links import SALT, rating_token
from daiban.common.tests.concurrency import run_together
from daiban.feedback.models import Evaluation, Rectification
from daiban.feedback.services import LinkRefused, rate_item_by_link
from daiban.notifications.models import OutboundMessage

from .conftest import deliver_item

GOOD: dict[str, Any] = {"attitude": "5", "efficiency": "4", "integrity": "5", "comment": ""}
BAD: dict[str, Any] = {
    "attitude": "4",
    "efficiency": "1",
    "integrity": "5",
    "comment": "送达时态度很差，还让我们等了两天",
}


@pytest.fixture
def delivered(dispatched, staff, reviewer, clock):
    clock(2026, 11, 5)
    item = dispatched.items.select_related("approval_item", "agent").order_by("id").first()
    deliver_item(item, reviewer, dt.date(2026, 11, 5))
    item.refresh_from_db()
    return item


def link_of(item: CaseItem) -> str:
    """The path texted to the applicant's contact mobile, read from the outbox row."""
    sms = OutboundMessage.objects.get(notification__verb="feedback.rating_link_sent", channel="sms")
    assert sms.address == item.request.applicant.contact_mobile
    assert sms.notification.recipient is None
    path = sms.notification.url
    assert path in sms.notification.body
    return path


@pytest.mark.django_db
def test_delivery_texts_a_link_that_rates_the_item_once(client, delivered):
    url = link_of(delivered)
    page = client.get(url)
    assert page.status_code == 200
    assert delivered.approval_item.name in page.content.decode()
    assert delivered.agent.display_name in page.content.decode()
    done = client.post(url, GOOD)
    assert done.status_code == 200 and "已记录" in done.content.decode()
    evaluation = Evaluation.objects.get()
    assert (evaluation.item, evaluation.channel, evaluation.given_by) == (delivered, "sms_link", None)
    assert evaluation.agent == delivered.agent and evaluation.levels == (5, 4, 5)
    again = client.post(url, BAD)
    assert again.status_code == 410 and "已评价" in again.content.decode()
    assert client.get(url).status_code == 410
    assert Evaluation.objects.count() == 1 and not Rectification.objects.exists()


@pytest.mark.django_db
def test_bad_rating_opens_the_same_rectification(client, delivered):
    assert client.post(link_of(delivered), BAD).status_code == 200
    evaluation = Evaluation.objects.get()
    rectification = Rectification.objects.get()
    assert evaluation.is_bad and rectification.evaluation == evaluation
    assert rectification.agent == delivered.agent and rectification.raised_by is None
    assert rectification.owner is not None


@pytest.mark.django_db
def test_bad_input_is_refused_in_chinese_and_nothing_saved(client, delivered):
    url = link_of(delivered)
    no_comment = client.post(url, {**BAD, "comment": ""})
    assert no_comment.status_code == 400 and "请" in no_comment.content.decode()
    out_of_scale = client.post(url, {**GOOD, "attitude": "9"})
    assert out_of_scale.status_code == 400
    assert not Evaluation.objects.exists() and not Rectification.objects.exists()


@pytest.mark.django_db
def test_tampered_or_foreign_tokens_are_refused(client, delivered):
    token = rating_token(delivered.pk)
    forged = signing.dumps({"item": delivered.pk}, salt="another-salt", compress=True)
    for bad in (token[:-2] + ("aa" if not token.endswith("aa") else "bb"), forged, "x"):
        response = client.post(reverse("feedback:rate_item", args=[bad]), GOOD)
        assert response.status_code == 400, bad
        assert "无效" in response.content.decode()
    assert SALT and not Evaluation.objects.exists()


@pytest.mark.django_db
def test_a_link_expires(client, delivered, settings):
    url = link_of(delivered)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        response = client.post(url, GOOD)
    assert response.status_code == 410 and "过期" in response.content.decode()
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_an_undelivered_item_has_no_valid_link(dispatched):
    item = dispatched.items.order_by("id").first()
    with pytest.raises(LinkRefused) as refused:
        rate_item_by_link(token=rating_token(item.pk), **GOOD)
    assert not refused.value.gone and not Evaluation.objects.exists()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a race needs concurrent connections to PostgreSQL (set DATABASE_URL=postgresql://…)",
)
@pytest.mark.django_db(transaction=True)
def test_two_uses_at_once_save_one_rating(delivered):
    """Two submissions of one link at the same moment: the item's row lock lets one through; the other
    finds the rating and is refused as used (not a database error, not a second rating)."""
    token = rating_token(delivered.pk)
    outcomes = run_together(
        lambda: rate_item_by_link(token=token, **GOOD), lambda: rate_item_by_link(token=token, **BAD)
    )
    assert sum(o.ok for o in outcomes) == 1, [str(o) for o in outcomes]
    loser = next(o for o in outcomes if not o.ok)
    assert isinstance(loser.error, LinkRefused) and loser.error.gone
    assert Evaluation.objects.filter(item=delivered).count() == 1
