"""Ledger and ranking tally decided items on the stored deadline (`due_on`); this checks that the figures are
those of deriving every deadline again from the filing date, the limit and the clock stops (`item_clocks`),
as the ledger did before, over varied items: park and township requests, two agents, corrections and
special procedures (one or two stops, short and long), decisions early, on the day and late, around the
Mid-Autumn and National Day holidays, across two quarters, and items refused."""

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db.models import QuerySet

from daiban.cases import services as steps
from daiban.cases.deadlines import item_clocks
from daiban.cases.models import CaseItem, ClockStop
from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.chains import file_it
from daiban.cases.tests.conftest import data
from daiban.organizations.models import Jurisdiction, Role, Unit
from daiban.oversight.ledger import Decided, decided_tallies, ledger_figures
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory
from daiban.workdays.quarters import Quarter
from daiban.workdays.selectors import calendar_for
from daiban.workdays.services import seed_calendar_from_library

D = dt.date
QUARTERS = [Quarter(2026, 3), Quarter(2026, 4)]


def _walk(item: CaseItem, agent: Any, reviewer: Any, clock: Any, rng: random.Random, calendar: Any) -> None:
    """File on a working day of 2026-08-03 … 10-23, maybe stop the clock once or twice, then decide from a
    day after filing to well past the limit (approved, or now and then refused)."""
    filed = calendar.add_working_days(D(2026, 8, 1), rng.randint(1, 55))
    clock(filed.year, filed.month, filed.day)
    item = file_it(item, agent, filed_on=filed)
    day = filed
    for _ in range(rng.choice([0, 0, 1, 2])):
        start = calendar.add_working_days(day, rng.randint(0, 2))
        end = calendar.add_working_days(start, rng.randint(1, 8))
        clock(end.year, end.month, end.day)
        if rng.random() < 0.5:
            if item.state != CaseItem.State.UNDER_REVIEW:
                item = steps.start_review(item=item, by=reviewer, expected_version=item.version)
            item = steps.request_correction(
                item=item, on=start, note="补充材料", by=reviewer, expected_version=item.version
            )
            item = steps.resubmit(item=item, on=end, by=agent, expected_version=item.version)
        else:
            if item.state != CaseItem.State.UNDER_REVIEW:
                item = steps.start_review(item=item, by=reviewer, expected_version=item.version)
            kind = rng.choice([ClockStop.Kind.PUBLICITY, ClockStop.Kind.EXPERT_REVIEW])
            stop = steps.start_special_procedure(item=item, kind=kind, start_on=start, note="", by=reviewer)
            steps.end_special_procedure(stop=stop, end_on=end, by=reviewer)
            item.refresh_from_db()
        day = end
    decided = calendar.add_working_days(day, rng.randint(0, 9))
    clock(decided.year, decided.month, decided.day)
    if rng.random() < 0.15:
        steps.refuse(
            item=item, decided_on=decided, reason="不符合规划条件", by=reviewer, expected_version=item.version
        )
    else:
        steps.approve(item=item, decided_on=decided, by=reviewer, expected_version=item.version)


def _derived(
    items: QuerySet[CaseItem], quarter: Quarter, calendar: Any, *keys: str
) -> dict[tuple[Any, ...], Decided]:
    """The former computation: every decided item as a model, its deadline derived again from its stops."""
    decided = list(
        items.filter(decided_on__range=quarter.bounds, filed_on__isnull=False).select_related(
            "request__locality", "request__jurisdiction", "approval_item"
        )
    )
    clocks = item_clocks(decided, quarter.last_day, calendars={"500242": calendar})
    tallies: dict[tuple[Any, ...], Decided] = defaultdict(Decided)
    for item in decided:
        deadline = clocks[item.pk].deadline_on
        assert deadline is not None and item.decided_on is not None
        values = {
            "agent_id": item.agent_id,
            "responsible_unit_id": item.responsible_unit_id,
            "request__locality_id": item.request.locality_id,
            "request__locality__kind": item.request.locality.kind,
        }
        tally = tallies[tuple(values[key] for key in keys)]
        limit = item.time_limit_days
        tally.items += 1
        tally.on_time += int(item.decided_on <= deadline)
        tally.limit_days += limit
        tally.used_days += limit + calendar.working_days_between(deadline, item.decided_on)
    return dict(tallies)


@pytest.mark.django_db
def test_stored_deadlines_give_the_derived_figures(
    youyang: Jurisdiction,
    clock: Any,
    rep: Any,
    items: Any,
    staff: Any,
    reviewer: Any,
    make_staff: Any,
) -> None:
    seed_calendar_from_library()
    calendar = calendar_for("500242")
    fgw_coord = make_staff(Role.COORDINATOR, youyang, "fgw")
    rng = random.Random(19)
    agents = [staff["park_agent"], staff["park_agent2"], staff["town_agent"]]
    reviewed = [i for i in items if i.code in ("project-filing", "construction-permit")]  # our reviewer's
    for n in range(16):
        clock(2026, 7, 20)
        project = ProjectFactory.create(
            applicant__jurisdiction=youyang,
            location=youyang.units.get(code="gyyq" if n % 2 else "township-003"),
        )
        ApplicantRepresentative.objects.create(applicant=project.applicant, user=rep)
        coordinator = staff["park_coord"] if n % 2 else staff["town_coord"]
        request = submit_request(project=project, data=data(reviewed), by=rep, channel="online")
        # Each item is accepted by its own unit (ADR 0022): the park, or each department (township).
        for decider in [coordinator] if n % 2 else [fgw_coord, staff["zjw_coord"]]:
            accept_request(request=request, by=decider)
        for item in request.items.order_by("position"):
            agent = rng.choice(agents[:2] if n % 2 else agents[2:])
            item = assign_agent(item=item, agent=agent, by=coordinator)
            if rng.random() < 0.85:  # some stay undecided
                _walk(item, agent, reviewer, clock, rng, calendar)
    clock(2026, 12, 31)
    handled = CaseItem.objects.filter(request__jurisdiction=youyang)
    seen = 0
    for quarter in QUARTERS:
        for keys in (
            ("agent_id",),
            ("responsible_unit_id", "request__locality_id", "request__locality__kind"),
        ):
            derived = _derived(handled, quarter, calendar, *keys)
            assert decided_tallies([handled], quarter, calendar, *keys) == derived, (quarter, keys)
            seen += sum(t.items for t in derived.values())
        assert decided_tallies([handled], quarter, None, "agent_id") == {}  # no calendar: no deadline known
    assert seen > 40  # the walk reached both quarters with many decisions
    stops = ClockStop.objects.filter(case_item__decided_on__isnull=False)
    assert stops.filter(kind=ClockStop.Kind.CORRECTION).exists()
    assert stops.exclude(kind=ClockStop.Kind.CORRECTION).exists()
    tallies = decided_tallies([handled], QUARTERS[0], calendar, "agent_id").values()
    assert 0 < sum(t.on_time for t in tallies) < sum(t.items for t in tallies)  # on time and late both
    # And the ledger's rows: each township item counted for its department and its township.
    figures = ledger_figures(youyang, QUARTERS[0]).units
    town = Unit.objects.get(jurisdiction=youyang, code="township-003").pk
    by_unit = _derived(handled, QUARTERS[0], calendar, "responsible_unit_id", "request__locality_id")
    assert figures[town].items_decided == sum(
        t.items for (_, locality), t in by_unit.items() if locality == town
    )
