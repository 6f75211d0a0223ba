"""Issue #15, dead ends of 帮办/代办: a complaint can be raised before acceptance, and the complainant
is told when the rectification of its complaint is closed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.cases.services import RequestData, submit_request, withdraw_request
from daiban.common.audit import AuditVerb
from daiban.feedback.services import close_rectification, file_complaint, report_rectification
from daiban.notifications.models import Notification

TEXT = "提交三天了一直没有人联系我们受理"


@pytest.fixture
def waiting(park_project, rep, items, staff):
    """Submitted, not accepted yet."""
    data = RequestData(mode="proxy", approval_items=items[:1], consent=True, free_of_charge_acknowledged=True)
    return submit_request(project=park_project, data=data, by=rep, channel="online")


@pytest.mark.django_db
def test_a_complaint_before_acceptance_is_heard_and_its_closure_told(
    client, waiting, rep, staff, yy_supervisor
):
    client.force_login(rep)
    assert (
        reverse("feedback:complain", args=[waiting.pk])
        in client.get(reverse("cases:request_detail", args=[waiting.pk])).content.decode()
    )
    rectification = file_complaint(request=waiting, text=TEXT, agent=None, by=rep)
    assert rectification.owner is not None
    rectification = report_rectification(
        rectification=rectification, note="已督促受理并向企业致歉", by=rectification.owner
    )
    close_rectification(rectification=rectification, note="企业确认已受理", by=yy_supervisor)
    told = Notification.objects.get(recipient=rep, verb=AuditVerb.RECTIFICATION_CLOSED)
    assert waiting.project.name in told.title and told.body == "企业确认已受理"
    assert told.url == reverse("cases:request_detail", args=[waiting.pk])


@pytest.mark.django_db
def test_no_complaint_about_a_withdrawn_request(waiting, rep):
    withdraw_request(request=waiting, by=rep)
    waiting.refresh_from_db()
    with pytest.raises(ValidationError, match="已撤回"):
        file_complaint(request=waiting, text=TEXT, agent=None, by=rep)
