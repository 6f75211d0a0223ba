import datetime as dt

import pytest
from django.urls import reverse

from daiban.cases import services as steps
from daiban.cases.models import ServiceRequest, TimelineEntry
from daiban.notifications.models import Notification

from .conftest import deliver_item

D = dt.date(2026, 11, 5)


@pytest.mark.django_db
def test_request_completes_when_its_last_item_is_delivered(dispatched, reviewer, rep, hall_manager, clock):
    clock(2026, 11, 5)
    first, second = dispatched.items.order_by("position").select_related("agent")
    deliver_item(first, reviewer, D)
    dispatched.refresh_from_db()
    assert (dispatched.state, dispatched.completed_at) == (ServiceRequest.State.DISPATCHED, None)
    assert not Notification.objects.filter(verb="request.completed").exists()
    deliver_item(second, reviewer, D)
    dispatched.refresh_from_db()
    assert dispatched.state == ServiceRequest.State.COMPLETED
    assert dispatched.completed_at.date() == D
    assert TimelineEntry.objects.filter(request=dispatched, verb="request.completed").count() == 1
    assert Notification.objects.filter(recipient=rep, verb="request.completed").count() == 1
    notice = Notification.objects.get(recipient=hall_manager, verb="request.completed")
    assert notice.url == reverse("feedback:callback_list")  # not the request page, which they may not open


@pytest.mark.django_db
def test_a_refused_item_counts_as_finished(dispatched, reviewer, staff, clock):
    clock(2026, 11, 5)
    first, second = dispatched.items.order_by("position").select_related("agent")
    deliver_item(first, reviewer, D)
    item = steps.start_collecting(item=second, by=second.agent, expected_version=second.version)
    for line in item.checklist.all():
        steps.update_checklist_line(line=line, status="received", promised_on=None, note="", by=second.agent)
    item = steps.mark_ready(item=item, by=second.agent, expected_version=item.version)
    item = steps.file_item(
        item=item, external_ref="YY-REFUSE-1", filed_on=D, by=second.agent, expected_version=item.version
    )
    steps.refuse(item=item, decided_on=D, reason="不符合规划条件", by=reviewer, expected_version=item.version)
    dispatched.refresh_from_db()
    assert dispatched.state == ServiceRequest.State.COMPLETED
