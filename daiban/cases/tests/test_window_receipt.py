"""受理回执: the printable receipt of a window registration, for those who may see the request only."""

import pytest
from django.test import Client
from django.urls import reverse

from daiban.cases.models import ServiceRequest

from .test_window import window_form


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_clerk_prints_the_receipt(youyang, items, staff, dazu, make_staff, submitted):
    clerk = _client(staff["clerk"])
    response = clerk.post(reverse("cases:window_request_create"), window_form(youyang, items), follow=True)
    request = ServiceRequest.objects.get(channel=ServiceRequest.Channel.WINDOW)
    detail = response.content.decode()
    assert reverse("cases:window_receipt", args=[request.pk]) in detail
    receipt = clerk.get(reverse("cases:window_receipt", args=[request.pk]))
    page = receipt.content.decode()
    assert receipt.status_code == 200
    for shown in (
        request.reference,
        "酉阳县花田贡米有限公司",
        request.applicant.uscc,
        "受理回执",
        "data-print",
    ):
        assert shown in page, shown
    assert all(item.approval_item.name in page for item in request.items.all())
    assert "13508341234" not in page  # the mobile number is not printed
    # someone who may not see the request: 404; an online request has no window receipt
    assert (
        _client(staff["park_agent"]).get(reverse("cases:window_receipt", args=[request.pk])).status_code
        == 404
    )
    other_clerk = make_staff("clerk", dazu, "zwzx")
    assert _client(other_clerk).get(reverse("cases:window_receipt", args=[request.pk])).status_code == 404
    assert (
        _client(staff["supervisor"]).get(reverse("cases:window_receipt", args=[submitted.pk])).status_code
        == 404
    )
    assert clerk.get("/requests/999999/window-receipt/").status_code == 404
