"""The service's promises on a frozen clock across the National Day week of 2026 (holidays 10-01 … 10-07,
make-up working day Saturday 10-10): limits as data, the working-day deadline, the applicant's pause, the
sweep's reminders and escalations (each once), and the counts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from daiban.assistance.models import Consultation
from daiban.cases.models import CaseItem, ClockStop, Delivery, ItemAssignment, ServiceRequest, Visit
from daiban.cases.services import RequestData, accept_request, assign_agent, submit_request
from daiban.common.models import AuditEntry
from daiban.feedback.models import Rectification
from daiban.notifications.models import Notification
from daiban.projects.tests.factories import ProjectFactory
from daiban.service_levels.clocks import limits_for, refresh_clocks
from daiban.service_levels.models import DEFAULT_DAYS, MAX_DAYS, Promise, PromiseClock, ServiceLevel
from daiban.service_levels.reminders import sweep_promises
from daiban.service_levels.selectors import promise_counts, promise_rows
from daiban.service_levels.services import set_service_levels
from daiban.workdays.services import seed_calendar_from_library

D = dt.date
pytestmark = pytest.mark.django_db


def submit(clock, park_project, rep, items, day, *, fresh=False):
    """Submit on `day`; `fresh`: for another project of the same enterprise (an item is asked for once per
    project at a time)."""
    clock(day.year, day.month, day.day)
    if fresh:
        park_project = ProjectFactory.create(applicant=park_project.applicant, location=park_project.location)
    data = RequestData(
        mode="proxy",
        approval_items=items,
        consent=True,
        free_of_charge_acknowledged=True,
    )
    return submit_request(project=park_project, data=data, by=rep, channel="online")


@pytest.fixture
def calendar(db):
    seed_calendar_from_library()


@pytest.fixture
def request_(calendar, clock, park_project, rep, items):
    """Submitted on Monday 2026-09-28."""
    return submit(clock, park_project, rep, items, D(2026, 9, 28))


def clock_of(promise: str, object_id: int) -> PromiseClock:
    return PromiseClock.objects.get(promise=promise, object_id=object_id)


def sent(verb, user=None):
    qs = Notification.objects.filter(verb=verb)
    return qs.filter(recipient=user).count() if user else qs.count()


def test_defaults_until_a_county_sets_its_own(youyang, dazu, staff):
    assert limits_for({youyang.pk})[youyang.pk] == DEFAULT_DAYS
    set_service_levels(
        jurisdiction=youyang, levels={"acceptance": 2, "first_visit": 5}, by=staff["supervisor"]
    )
    limits = limits_for({youyang.pk, dazu.pk})
    assert limits[youyang.pk]["acceptance"] == 2 and limits[youyang.pk]["first_visit"] == 5
    assert limits[youyang.pk]["delivery"] == DEFAULT_DAYS["delivery"]
    assert limits[dazu.pk] == DEFAULT_DAYS  # 大足 untouched
    level = ServiceLevel.objects.get(jurisdiction=youyang)
    assert level.confirmed
    entry = AuditEntry.objects.get(verb="service_levels.changed")
    assert entry.jurisdiction_code == youyang.code
    assert entry.after is not None and entry.after["acceptance_days"] == 2


@pytest.mark.parametrize("bad", [0, -1, MAX_DAYS + 1, 10_000, "3", 2.5, True, None])
def test_bad_limits_are_refused_and_nothing_is_saved(youyang, staff, bad):
    with pytest.raises(ValidationError) as refused:
        set_service_levels(
            jurisdiction=youyang, levels={"acceptance": 2, "first_visit": bad}, by=staff["supervisor"]
        )
    message = " ".join(refused.value.message_dict["first_visit"])
    assert "首次上门" in message and "工作日" in message
    assert not ServiceLevel.objects.exists()
    assert not AuditEntry.objects.filter(verb="service_levels.changed").exists()


def test_an_unknown_promise_is_refused(youyang, staff):
    with pytest.raises(ValidationError) as refused:
        set_service_levels(jurisdiction=youyang, levels={"lunch": 1}, by=staff["supervisor"])
    assert "lunch" in " ".join(refused.value.message_dict["lunch"])


def test_acceptance_reminded_then_escalated_each_once(request_, staff):
    coordinator, supervisor = staff["park_coord"], staff["supervisor"]
    counts = sweep_promises(today=D(2026, 9, 28))
    clock = clock_of(Promise.ACCEPTANCE, request_.pk)
    assert (clock.started_on, clock.limit_days, clock.due_on) == (D(2026, 9, 28), 1, D(2026, 9, 29))
    assert counts["due_soon"] == 1 and sent("promise.due_soon", coordinator) == 1
    sweep_promises(today=D(2026, 9, 28))  # run twice: one reminder
    sweep_promises(today=D(2026, 9, 29))  # the same deadline: nobody is told twice
    assert sent("promise.due_soon") == 1
    assert sent("promise.overdue") == 0  # on time on the deadline day itself
    counts = sweep_promises(today=D(2026, 9, 30))
    assert counts["overdue"] == 1 and counts["supervisor"] == 0
    assert sent("promise.overdue", coordinator) == 1
    assert sent("promise.overdue", staff["town_coord"]) == 0  # not their township's request
    assert sweep_promises(today=D(2026, 10, 8))["supervisor"] == 0  # the holiday week: 2 working days late
    assert sweep_promises(today=D(2026, 10, 9))["supervisor"] == 1  # 3 working days late
    assert sent("promise.escalated", supervisor) == 1
    again = sweep_promises(today=D(2026, 10, 9))
    assert (again["due_soon"], again["overdue"], again["supervisor"]) == (0, 0, 0)
    assert sent("promise.overdue") == 1 and sent("promise.escalated") == 1


def test_kept_promises_start_the_next_ones(request_, clock, staff):
    clock(2026, 9, 29)
    accept_request(request=request_, by=staff["park_coord"])
    refresh_clocks(D(2026, 9, 29))
    acceptance = clock_of(Promise.ACCEPTANCE, request_.pk)
    assert acceptance.met_on == D(2026, 9, 29) == acceptance.due_on  # kept on the deadline day
    assignment = clock_of(Promise.ASSIGNMENT, request_.pk)
    assert (assignment.started_on, assignment.due_on, assignment.met_on) == (
        D(2026, 9, 29),
        D(2026, 9, 30),
        None,
    )
    assert not PromiseClock.objects.filter(promise=Promise.FIRST_VISIT).exists()  # nobody assigned yet
    clock(2026, 9, 30)
    for item in request_.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    refresh_clocks(D(2026, 9, 30))
    assert clock_of(Promise.ASSIGNMENT, request_.pk).met_on == D(2026, 9, 30)
    visit = clock_of(Promise.FIRST_VISIT, request_.pk)
    # three working days after Wednesday 09-30: 10-08, 10-09, make-up Saturday 10-10
    assert (visit.started_on, visit.due_on, visit.responsible) == (
        D(2026, 9, 30),
        D(2026, 10, 10),
        staff["park_agent"],
    )
    Visit.objects.create(
        request=request_,
        agent=staff["park_agent"],
        visited_on=D(2026, 10, 9),
        place="园区",
        people_met="张经理",
    )
    refresh_clocks(D(2026, 10, 9))
    assert clock_of(Promise.FIRST_VISIT, request_.pk).met_on == D(2026, 10, 9)
    assert clock_of(Promise.FIRST_CONTACT, request_.pk).met_on == D(2026, 10, 9)  # the visit was the contact


@pytest.fixture
def assigned(request_, clock, staff):
    """Accepted and assigned on Monday 09-28: the first visit (3 working days) is due Thursday 10-08."""
    clock(2026, 9, 28)
    accept_request(request=request_, by=staff["park_coord"])
    for item in request_.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    return request_


def test_the_applicants_correction_pauses_the_clock(assigned):
    refresh_clocks(D(2026, 9, 28))
    assert clock_of(Promise.FIRST_VISIT, assigned.pk).due_on == D(2026, 10, 8)
    item = assigned.items.first()
    stop = ClockStop.objects.create(case_item=item, kind=ClockStop.Kind.CORRECTION, start_on=D(2026, 9, 29))
    refresh_clocks(D(2026, 9, 30))
    paused = clock_of(Promise.FIRST_VISIT, assigned.pk)
    assert paused.paused and paused.due_on is None  # like an item's deadline while a stop is open
    assert (
        sweep_promises(today=D(2026, 10, 9))["overdue"] == 0
        or not PromiseClock.objects.filter(promise=Promise.FIRST_VISIT, due_on__isnull=False).exists()
    )
    ClockStop.objects.filter(pk=stop.pk).update(end_on=D(2026, 9, 30))
    refresh_clocks(D(2026, 10, 8))
    resumed = clock_of(Promise.FIRST_VISIT, assigned.pk)
    # 09-29 and 09-30 did not count: 3 working days from 09-28 now end on make-up Saturday 10-10
    assert not resumed.paused and resumed.due_on == D(2026, 10, 10)


def test_a_department_procedure_does_not_pause_the_service(assigned):
    item = assigned.items.first()
    ClockStop.objects.create(
        case_item=item, kind=ClockStop.Kind.EXPERT_REVIEW, start_on=D(2026, 9, 29), end_on=D(2026, 9, 30)
    )
    refresh_clocks(D(2026, 9, 30))
    assert clock_of(Promise.FIRST_VISIT, assigned.pk).due_on == D(2026, 10, 8)


def test_the_agent_is_reminded_and_the_coordinator_told_when_overdue(assigned, staff):
    """First contact due Tuesday 09-29 (1 working day), first visit Thursday 10-08 (3)."""
    agent, coordinator, supervisor = staff["park_agent"], staff["park_coord"], staff["supervisor"]
    sweep_promises(today=D(2026, 9, 28))
    assert sent("promise.due_soon", agent) == 1  # the contact; the visit has 3 working days left
    assert sent("promise.due_soon", coordinator) == 0  # theirs were kept: accepted and assigned at once
    sweep_promises(today=D(2026, 9, 30))
    assert sent("promise.overdue", agent) == 1 and sent("promise.overdue", coordinator) == 1  # contact
    assert sent("promise.due_soon", agent) == 2  # now the visit too
    sweep_promises(today=D(2026, 10, 9))
    assert sent("promise.overdue", agent) == 2 and sent("promise.overdue", coordinator) == 2  # + visit
    assert sent("promise.escalated", supervisor) == 1  # the contact: 09-30, 10-08, 10-09 late
    assert sent("promise.escalated", agent) == 0
    sweep_promises(today=D(2026, 10, 13))  # the visit: 10-09, 10-10, 10-12, 10-13 late
    assert sent("promise.escalated", supervisor) == 2
    sweep_promises(today=D(2026, 10, 13))
    sweep_promises(today=D(2026, 10, 14))
    # one notification per recipient: the overdue notices went to the agent and the coordinator
    assert (sent("promise.due_soon"), sent("promise.overdue"), sent("promise.escalated")) == (2, 4, 2)


def test_a_running_clock_keeps_its_limit_when_the_county_changes_it(assigned, youyang, staff):
    refresh_clocks(D(2026, 9, 28))
    set_service_levels(jurisdiction=youyang, levels={"first_visit": 10}, by=staff["supervisor"])
    refresh_clocks(D(2026, 9, 29))
    visit = clock_of(Promise.FIRST_VISIT, assigned.pk)
    assert (visit.limit_days, visit.due_on) == (3, D(2026, 10, 8))


def test_withdrawn_before_a_decision_leaves_no_promise(request_, staff):
    refresh_clocks(D(2026, 9, 28))
    assert PromiseClock.objects.filter(request=request_).count() == 1
    ServiceRequest.objects.filter(pk=request_.pk).update(state=ServiceRequest.State.WITHDRAWN)
    refresh_clocks(D(2026, 9, 29))
    assert not PromiseClock.objects.filter(request=request_).exists()


def test_counts_per_promise(assigned, clock, park_project, rep, items, staff):
    late = submit(clock, park_project, rep, items[:1], D(2026, 9, 28), fresh=True)
    refresh_clocks(D(2026, 9, 28))
    clock(2026, 10, 9)
    accept_request(request=late, by=staff["park_coord"])  # due 09-29, kept 10-09: late
    open_one = submit(clock, park_project, rep, items[1:2], D(2026, 9, 28), fresh=True)
    ServiceRequest.objects.filter(pk=open_one.pk).update(
        submitted_at=dt.datetime(2026, 9, 28, 2, tzinfo=dt.UTC)
    )
    refresh_clocks(D(2026, 10, 9))
    counts = promise_counts(PromiseClock.objects.all(), D(2026, 10, 9))
    assert counts["acceptance"] == {"on_time": 1, "late": 1, "overdue": 1, "running": 0}
    assert counts["first_visit"]["overdue"] == 1  # due 10-08, no visit yet
    rows = {row["promise"]: row for row in promise_rows(counts)}
    assert rows["acceptance"]["on_time_rate"] == pytest.approx(33.3)
    assert rows["consultation"]["on_time_rate"] is None


def test_counting_costs_the_same_queries_at_n_and_2n(calendar, clock, park_project, rep, items, staff):
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            promise_counts(PromiseClock.objects.all(), D(2026, 10, 9))
        return len(queries)

    for _ in range(3):
        submit(clock, park_project, rep, items[:1], D(2026, 9, 28), fresh=True)
    refresh_clocks(D(2026, 9, 28))
    small = measure()
    assert PromiseClock.objects.count() == 3
    for _ in range(3):
        submit(clock, park_project, rep, items[:1], D(2026, 9, 28), fresh=True)
    refresh_clocks(D(2026, 9, 28))
    assert PromiseClock.objects.count() == 6
    assert measure() == small == 1


def test_the_sweep_refresh_costs_the_same_queries_at_n_and_2n(
    calendar, clock, park_project, rep, items, staff
):
    def run() -> int:
        PromiseClock.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            refresh_clocks(D(2026, 9, 28), chunk=100)
        return len(queries)

    def add(n: int) -> None:
        for _ in range(n):
            r = submit(clock, park_project, rep, items[:1], D(2026, 9, 28), fresh=True)
            accept_request(request=r, by=staff["park_coord"])
            for item in r.items.all():
                assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])

    add(2)
    run()  # the calendar is read once, then served from its cache
    small = run()
    add(2)
    assert run() == small
    assert ItemAssignment.objects.count() == 4


def test_delivery_consultation_and_rectification_clocks(assigned, youyang, staff):
    """Delivery: 2 working days after pick-up; consultation: 2 after it was asked; rectification: 10
    after it was opened, kept when the owner reports."""
    item = assigned.items.first()
    CaseItem.objects.filter(pk=item.pk).update(picked_up_on=D(2026, 9, 29), state=CaseItem.State.PICKED_UP)
    asked = Consultation.objects.create(
        jurisdiction=youyang,
        asker_name="张经理",
        channel="phone",
        topic="process",
        question="施工许可要多久？",
        recorded_by=staff["clerk"],
    )
    Consultation.objects.filter(pk=asked.pk).update(asked_at=dt.datetime(2026, 9, 30, 2, tzinfo=dt.UTC))
    fix = Rectification.objects.create(
        jurisdiction=youyang,
        request=assigned,
        source="complaint",
        problem="上门不及时",
        owner=staff["park_coord"],
        opened_on=D(2026, 9, 28),
        raised_by=staff["supervisor"],
    )
    refresh_clocks(D(2026, 9, 30))
    delivery = clock_of(Promise.DELIVERY, item.pk)
    assert (delivery.due_on, delivery.responsible, delivery.met_on) == (
        D(2026, 10, 8),
        staff["park_agent"],
        None,
    )
    assert clock_of(Promise.CONSULTATION, asked.pk).due_on == D(2026, 10, 9)
    rectification = clock_of(Promise.RECTIFICATION, fix.pk)
    # 09-29, 09-30, 10-08, 10-09, make-up 10-10, 10-12 … 10-16
    assert (rectification.due_on, rectification.responsible) == (D(2026, 10, 16), staff["park_coord"])
    Delivery.objects.create(case_item=item, method="in_person", delivered_on=D(2026, 10, 9))
    Consultation.objects.filter(pk=asked.pk).update(
        answer="三个工作日", answered_at=dt.datetime(2026, 10, 8, 2, tzinfo=dt.UTC)
    )
    Rectification.objects.filter(pk=fix.pk).update(
        report="已整改", reported_at=dt.datetime(2026, 10, 12, 2, tzinfo=dt.UTC)
    )
    refresh_clocks(D(2026, 10, 12))
    counts = promise_counts(PromiseClock.objects.all(), D(2026, 10, 12))
    assert (
        counts["delivery"]["late"],
        counts["consultation"]["on_time"],
        counts["rectification"]["on_time"],
    ) == (
        1,
        1,
        1,
    )
