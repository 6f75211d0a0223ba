"""The daily sweep on a frozen clock across the National Day week of 2026."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daiban.cases import services as steps
from daiban.cases.deadlines import refresh_due_dates
from daiban.cases.models import CaseItem
from daiban.cases.reminders import sweep_deadlines
from daiban.cases.services import accept_request, assign_agent
from daiban.cases.tests.chains import file_it
from daiban.common.tests.faults import inserts_refused
from daiban.notifications.models import Notification, OnceKey
from daiban.organizations.models import Role
from daiban.workdays.services import seed_calendar_from_library

D = dt.date


@pytest.fixture
def filed_permit(submitted, staff, youyang, make_staff):
    """Construction permit (3 working days) filed on Monday 2026-09-28: deadline Thursday 10-08."""
    seed_calendar_from_library()
    type(submitted).objects.filter(pk=submitted.pk).update(
        submitted_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    )
    submitted.refresh_from_db()
    accept_request(request=submitted, by=staff["park_coord"])
    for item in submitted.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    agent = staff["park_agent"]
    item = submitted.items.get(approval_item__code="construction-permit")
    item = steps.start_collecting(item=item, by=agent, expected_version=item.version)
    for line in item.checklist.all():
        steps.update_checklist_line(line=line, status="received", promised_on=None, note="", by=agent)
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    return steps.file_item(
        item=item,
        external_ref="RCPT-2026092801",
        filed_on=D(2026, 9, 28),
        by=agent,
        expected_version=item.version,
    )


def sent(verb, user=None):
    qs = Notification.objects.filter(verb=verb)
    return qs.filter(recipient=user).count() if user else qs.count()


@pytest.mark.django_db
def test_reminders_and_escalations_across_the_holiday_week(filed_permit, staff):
    agent, coordinator, supervisor = staff["park_agent"], staff["park_coord"], staff["supervisor"]
    assert sweep_deadlines(today=D(2026, 9, 28))["due_soon"] == 0  # three working days left: on time
    assert sweep_deadlines(today=D(2026, 9, 30))["due_soon"] == 1  # 10-08 is the next working day
    assert sent("item.due_soon", agent) == 1
    for holiday in (D(2026, 9, 30), D(2026, 10, 3), D(2026, 10, 7), D(2026, 10, 8)):
        sweep_deadlines(today=holiday)  # the same deadline: nobody is told twice
    assert sent("item.due_soon", agent) == 1
    assert sent("item.overdue") == 0  # still on time on the deadline day itself
    counts = sweep_deadlines(today=D(2026, 10, 9))
    assert counts["overdue"] == 1 and counts["supervisor"] == 0
    assert sent("item.overdue", coordinator) == 1
    assert sent("item.overdue", agent) == 1
    assert sweep_deadlines(today=D(2026, 10, 10))["supervisor"] == 0  # make-up Saturday: 2 days late
    assert sweep_deadlines(today=D(2026, 10, 11))["supervisor"] == 0  # Sunday: still 2
    assert sweep_deadlines(today=D(2026, 10, 12))["supervisor"] == 1  # 3 working days late
    assert sent("item.escalated", supervisor) == 1
    assert sweep_deadlines(today=D(2026, 10, 12)) == {
        "due_soon": 0,
        "overdue": 0,
        "supervisor": 0,
        "promised": 0,
        "failed": 0,
        "refreshed": 0,
        "unstaffed": 0,  # the permit's missing reviewer was reported at filing, once
    }


@pytest.mark.django_db
def test_a_correction_pauses_the_reminders(filed_permit, staff, youyang, make_staff):
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    steps.request_correction(
        item=filed_permit,
        on=D(2026, 9, 29),
        note="补充合同",
        by=reviewer,
        expected_version=filed_permit.version,
    )
    for day in (D(2026, 9, 30), D(2026, 10, 9), D(2026, 10, 20)):
        sweep_deadlines(today=day)
    assert sent("item.due_soon") == 0 and sent("item.overdue") == 0


@pytest.mark.django_db
def test_applicants_are_reminded_of_promised_materials(submitted, staff, rep, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D(2026, 11, 20))  # a Friday
    seed_calendar_from_library()
    accept_request(request=submitted, by=staff["park_coord"])
    item = submitted.items.get(approval_item__code="construction-permit")
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    item = steps.start_collecting(item=item, by=staff["park_agent"], expected_version=item.version)
    line = item.checklist.select_related("material").filter(material__is_key=False).first()
    assert line is not None
    steps.update_checklist_line(
        line=line, status="promised", promised_on=D(2026, 11, 24), note="", by=staff["park_agent"]
    )
    assert sweep_deadlines(today=D(2026, 11, 20))["promised"] == 0  # two working days ahead
    assert sweep_deadlines(today=D(2026, 11, 23))["promised"] == 1  # the working day before
    assert sweep_deadlines(today=D(2026, 11, 23))["promised"] == 0
    assert sweep_deadlines(today=D(2026, 11, 25))["promised"] == 1  # now late: told once more
    assert sent("material.promise_due", rep) == 2


@pytest.mark.django_db
def test_deadline_refresh_reads_the_calendar_once_per_batch(filed_permit, staff):
    """The nightly check covers every filed item in the city: its queries must not grow with them."""
    with CaptureQueriesContext(connection) as one:
        assert refresh_due_dates(CaseItem.objects.all()) == 0
    for item in filed_permit.request.items.exclude(pk=filed_permit.pk):
        file_it(item, staff["park_agent"], filed_on=D(2026, 9, 28))
    CaseItem.objects.update(due_on=None)  # stale everywhere: every item is rewritten
    filed = CaseItem.objects.filter(filed_on__isnull=False).count()
    assert filed >= 3
    with CaptureQueriesContext(connection) as many:
        assert refresh_due_dates(CaseItem.objects.all()) == filed
    assert len(many) == len(one) + 1  # the same reads, then one UPDATE for the batch


@pytest.mark.django_db
def test_a_sweep_that_fails_on_one_item_does_the_others_and_the_retry_does_it(filed_permit, staff):
    """A real database error for one item's reminder: the sweep logs it, goes on, and leaves no key, so the
    retry sends that reminder — and only that one."""
    for item in filed_permit.request.items.exclude(pk=filed_permit.pk):
        file_it(item, staff["park_agent"], filed_on=D(2026, 9, 28))
    items = list(CaseItem.objects.filter(filed_on__isnull=False).order_by("pk"))
    assert len(items) >= 2
    broken = items[0]
    url = reverse("cases:item_detail", args=[broken.request_id, broken.pk])
    day = D(2026, 10, 30)  # every item overdue
    with inserts_refused("notifications_notification", "url", url):
        counts = sweep_deadlines(today=day)
    assert counts["failed"] == 1
    assert counts["overdue"] == len(items) - 1
    reminders = Notification.objects.filter(verb__in=["item.overdue", "item.escalated"])
    assert not reminders.filter(url=url).exists()
    assert not OnceKey.objects.filter(key__contains=f":{broken.pk}:").exists()
    others = reminders.count()
    retry = sweep_deadlines(today=day)
    assert (retry["failed"], retry["overdue"]) == (0, 1)
    assert reminders.filter(url=url, verb="item.overdue").exists()
    assert reminders.exclude(url=url).count() == others  # nobody else told twice
