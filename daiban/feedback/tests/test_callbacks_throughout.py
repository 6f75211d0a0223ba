"""全过程回访 (大足): where the jurisdiction asks for it (`Jurisdiction.callbacks_throughout`, data, set by
the organisation file), hall managers call back at any stage after acceptance;
elsewhere only after completion."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.feedback.models import Callback
from daiban.feedback.selectors import callback_queue
from daiban.feedback.services import CallbackData, record_callback
from daiban.organizations.models import Jurisdiction

D = dt.date

REACHED = CallbackData(
    called_on=D(2026, 11, 4),
    reached=True,
    contact_person="张经理",
    overall=5,
    asked_for_money=False,
    remarks="办理中回访，进展顺利",
)


def throughout(jurisdiction: Jurisdiction, value: bool = True) -> None:
    Jurisdiction.objects.filter(pk=jurisdiction.pk).update(callbacks_throughout=value)


@pytest.mark.django_db
def test_dazu_asks_for_callbacks_throughout_in_its_data_file(youyang, dazu):
    assert Jurisdiction.objects.get(pk=dazu.pk).callbacks_throughout
    assert not Jurisdiction.objects.get(pk=youyang.pk).callbacks_throughout


@pytest.mark.django_db
def test_in_handling_requests_are_refused_where_not_asked(dispatched, hall_manager, clock):
    clock(2026, 11, 4)
    assert list(callback_queue(hall_manager)) == []
    with pytest.raises(ValidationError, match="办结后"):
        record_callback(request=dispatched, by=hall_manager, ratings={}, data=REACHED)
    assert not Callback.objects.exists()


@pytest.mark.django_db
def test_in_handling_requests_are_called_back_where_asked(
    youyang, dispatched, hall_manager, staff, clock, client
):
    throughout(youyang)
    clock(2026, 11, 4)
    assert list(callback_queue(hall_manager)) == [dispatched]
    assert list(callback_queue(staff["park_coord"])) == []
    client.force_login(hall_manager)
    page = client.get(reverse("feedback:callback_list")).content.decode()
    assert f"callback-{dispatched.pk}" in page and "全过程回访" in page
    record_callback(request=dispatched, by=hall_manager, ratings={staff["park_agent"].pk: 5}, data=REACHED)
    assert list(callback_queue(hall_manager)) == []  # reached while in handling


@pytest.mark.django_db
def test_a_call_before_acceptance_date_is_refused(youyang, dispatched, hall_manager, clock):
    throughout(youyang)
    clock(2026, 11, 4)
    early = CallbackData(called_on=D(2026, 10, 1), reached=False, remarks="无人接听")
    with pytest.raises(ValidationError) as refused:
        record_callback(request=dispatched, by=hall_manager, ratings={}, data=early)
    assert "受理" in str(refused.value.message_dict["called_on"])
    assert not Callback.objects.exists()


@pytest.mark.django_db
def test_a_request_reached_in_handling_is_queued_again_once_completed(
    youyang, completed, hall_manager, clock
):
    """The call during handling does not stand for the call after the service."""
    throughout(youyang)
    Callback.objects.create(
        request=completed,
        jurisdiction=completed.jurisdiction,
        method=Callback.Method.PHONE,
        called_on=D(2026, 11, 4),
        reached=True,
        contact_person="张经理",
        called_by=hall_manager,
    )
    assert list(callback_queue(hall_manager)) == [completed]
