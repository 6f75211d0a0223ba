"""一事一评 journey (issue #15): an item is delivered; the applicant's phone opens the link texted to the
contact mobile (read from the outbox row), rates the item without signing in; the second use is refused."""

import pytest

from daiban.feedback.models import Evaluation
from daiban.notifications.models import OutboundMessage

from .test_feedback_journey import delivered_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_delivery_link_rates_the_item_once_on_a_phone(live_server, phone, shoot):
    request, agent = delivered_request()
    sms = OutboundMessage.objects.get(notification__verb="feedback.rating_link_sent")
    assert sms.address == request.applicant.contact_mobile and sms.notification.url in sms.notification.body
    link = f"{live_server.url}{sms.notification.url}"

    phone.context.clear_cookies()
    phone.goto(link)
    phone.wait_for_selector("#rate-item")
    assert agent.display_name in phone.inner_text("main")
    shoot(phone, "rating-link-1-form")
    for field, level in (("attitude", "5"), ("efficiency", "4"), ("integrity", "5")):
        phone.check(f"input[name={field}][value='{level}']")
    phone.click("#rate-item button[type=submit]")
    phone.wait_for_selector("#rated")
    shoot(phone, "rating-link-2-rated")
    evaluation = Evaluation.objects.get()
    assert (evaluation.channel, evaluation.given_by, evaluation.levels) == ("sms_link", None, (5, 4, 5))

    response = phone.goto(link)
    assert response is not None and response.status == 410
    assert "只能使用一次" in phone.inner_text("#refused")
    shoot(phone, "rating-link-3-second-use-refused")
    assert Evaluation.objects.count() == 1
