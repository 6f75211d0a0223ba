import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.feedback.models import Callback, CallbackRating, Rectification
from daiban.feedback.selectors import callback_queue
from daiban.feedback.services import CallbackData, record_callback
from daiban.notifications.models import Notification

D = dt.date


def nothing_saved():
    return (
        not Callback.objects.exists()
        and not CallbackRating.objects.exists()
        and not Rectification.objects.exists()
    )


@pytest.mark.django_db
def test_queue_holds_completed_requests_until_reached(
    completed, dispatched, hall_manager, staff, clock, dz_supervisor
):
    assert list(callback_queue(hall_manager)) == [completed]
    assert list(callback_queue(staff["park_coord"])) == []
    assert list(callback_queue(dz_supervisor)) == []
    clock(2026, 11, 9)
    record_callback(
        request=completed,
        by=hall_manager,
        ratings={},
        data=CallbackData(called_on=D(2026, 11, 9), reached=False, remarks="无人接听"),
    )
    queued = callback_queue(hall_manager).get()
    assert (queued.attempts, queued.last_attempt_on) == (1, D(2026, 11, 9))
    record_callback(
        request=completed,
        by=hall_manager,
        ratings={staff["park_agent"].pk: 5, staff["park_agent2"].pk: ""},
        data=CallbackData(
            called_on=D(2026, 11, 9),
            reached=True,
            contact_person="张经理",
            overall=5,
            asked_for_money=False,
            remarks="对服务满意",
        ),
    )
    assert not callback_queue(hall_manager).exists()
    rating = CallbackRating.objects.get()
    assert (rating.agent, rating.level) == (staff["park_agent"], 5)
    assert Notification.objects.filter(recipient=staff["park_agent"], verb="callback.rated").exists()
    assert not Rectification.objects.exists()


@pytest.mark.django_db
def test_bad_answers_open_rectifications(completed, hall_manager, staff, clock):
    clock(2026, 11, 9)
    record_callback(
        request=completed,
        by=hall_manager,
        ratings={staff["park_agent2"].pk: 2},
        data=CallbackData(
            called_on=D(2026, 11, 9),
            reached=True,
            contact_person="张经理",
            overall=3,
            asked_for_money=True,
            remarks="反映专员要求请客",
            complaint="专员暗示需要请吃饭",
        ),
    )
    by_source = {r.source: r for r in Rectification.objects.all()}
    assert set(by_source) == {"callback", "complaint"}
    assert by_source["callback"].agent == staff["park_agent2"]
    assert "请吃饭" in by_source["complaint"].problem and "索要" in by_source["complaint"].problem
    # 10 working days from Monday 11-09.
    assert by_source["complaint"].due_on == D(2026, 11, 23)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "ratings", "field_message"),
    [
        (
            CallbackData(called_on=D(2026, 11, 10), reached=True, contact_person="张", overall=5),
            {},
            "晚于今天",
        ),
        (
            CallbackData(called_on=D(2026, 11, 4), reached=True, contact_person="张", overall=5),
            {},
            "办结日期",
        ),
        (CallbackData(called_on=D(2026, 11, 9), reached=True, contact_person="", overall=5), {}, "受访人"),
        (
            CallbackData(called_on=D(2026, 11, 9), reached=True, contact_person="张", overall=None),
            {},
            "五个等级",
        ),
        (CallbackData(called_on=D(2026, 11, 9), reached=False, remarks="无人接听", overall=4), {}, "联系上"),
        (CallbackData(called_on=D(2026, 11, 9), reached=False, remarks=""), {}, "原因"),
        (
            CallbackData(called_on=D(2026, 11, 9), reached=True, contact_person="张", overall=5),
            {"zjw": 5},
            "本申请",
        ),
        (
            CallbackData(
                called_on=D(2026, 11, 9), reached=True, contact_person="张", overall=5, remarks="很" * 2001
            ),
            {},
            "2000",
        ),
    ],
)
def test_bad_call_records_are_refused(completed, hall_manager, staff, clock, data, ratings, field_message):
    clock(2026, 11, 9)
    ratings = {staff["zjw_agent"].pk: ratings["zjw"]} if ratings else {}
    with pytest.raises(ValidationError) as exc:
        record_callback(request=completed, data=data, ratings=ratings, by=hall_manager)
    assert field_message in " ".join(exc.value.messages)
    assert nothing_saved()


@pytest.mark.django_db
def test_only_hall_managers_of_the_jurisdiction_call_back(
    completed, dispatched, staff, yy_supervisor, dazu, make_staff, clock
):
    clock(2026, 11, 9)
    data = CallbackData(called_on=D(2026, 11, 9), reached=False, remarks="无人接听")
    dz_hall = make_staff("hall_manager", dazu, "zwglb")
    for person in (staff["park_coord"], yy_supervisor, dz_hall):
        with pytest.raises(ValidationError, match="大厅管理"):
            record_callback(request=completed, data=data, ratings={}, by=person)
    assert nothing_saved()


@pytest.mark.django_db
def test_call_back_pages(client, completed, hall_manager, staff, rep, clock):
    clock(2026, 11, 9)
    url = reverse("feedback:callback_create", args=[completed.pk])
    for person in (staff["park_agent"], rep):  # wrong role
        client.force_login(person)
        assert client.get(reverse("feedback:callback_list")).status_code == 403
        assert client.get(url).status_code == 403
    client.force_login(hall_manager)
    assert completed.project.name in client.get(reverse("feedback:callback_list")).content.decode()
    form = {
        "called_on": "2026-11-09",
        "method": "phone",
        "reached": "yes",
        "contact_person": "张经理",
        "overall": "4",
        f"rating_{staff['park_agent'].pk}": "5",
        "asked_for_money": "no",
        "remarks": "满意",
    }
    bad = client.post(url, form | {"called_on": "2026-12-01"})
    assert bad.status_code == 400 and "晚于今天" in bad.content.decode() and nothing_saved()
    assert client.post(url, form).status_code == 302
    assert Callback.objects.get().overall == 4
    # Reached: it leaves the queue, and its page is gone.
    assert client.get(url).status_code == 404
