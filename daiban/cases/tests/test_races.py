"""Two people acting on the same item or request at the same moment, on real PostgreSQL connections.

Each test runs ROUNDS rounds on fresh items; in every round two threads call the services at once (released
together by a barrier). Afterwards the test counts, from the database, the rounds that broke the rule, and
checks that every round ended with exactly one success and one refusal in Chinese (a ValidationError, not a
database error and not a silent second success). A failure message gives both counts and the outcomes seen.

The rules:
- an item has at most one open clock stop (补正 or special procedure), ever;
- an item is never approved or refused while a clock stop is open;
- a clock stop is ended once;
- an item is never ready to file with a key material not received;
- a step taken twice at once (filing, accepting, assigning) happens once; the loser is told.

Run: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban pytest daiban/cases/tests/test_races.py
(skipped on SQLite). DAIBAN_RACE_ROUNDS=50 runs more rounds than the default, to be surer of a fix.
"""

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest
from django.db import connection, transaction

from daiban.cases import services as steps
from daiban.cases.models import CaseItem, ClockStop, ItemAssignment, ItemMaterial, ServiceRequest
from daiban.cases.services import accept_request, assign_agent, decline_request, submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.common.tests.concurrency import Outcome, RaceTally, attempt, posted, run_together
from daiban.organizations.models import Jurisdiction, Role, User
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative, Project
from daiban.projects.tests.factories import ProjectFactory
from daiban.workdays.services import seed_calendar_from_library

from .conftest import data

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need concurrent connections to PostgreSQL (set DATABASE_URL=postgresql://…); "
        "SQLite serialises writers and its in-memory test database is not shared between threads",
    ),
    pytest.mark.django_db(transaction=True),
]

T = TypeVar("T")
ROUNDS = int(os.environ.get("DAIBAN_RACE_ROUNDS", "15"))
D = dt.date
FILED_ON = D(2026, 11, 2)  # the `clock` fixture's today, a Monday
S = CaseItem.State
SPECIAL_KINDS = (ClockStop.Kind.PUBLICITY, ClockStop.Kind.EXPERT_REVIEW, ClockStop.Kind.HEARING)


def open_stops(item: CaseItem) -> int:
    return ClockStop.objects.filter(case_item=item, end_on__isnull=True).count()


def verbs(item_or_request: CaseItem | ServiceRequest, verb: str) -> int:
    if isinstance(item_or_request, CaseItem):
        return item_or_request.request.timeline.filter(case_item=item_or_request, verb=verb).count()
    return item_or_request.timeline.filter(verb=verb).count()


def winner(outcomes: list[Outcome]) -> int | None:
    """The index of the only successful call, or None."""
    ok = [i for i, o in enumerate(outcomes) if o.ok]
    return ok[0] if len(ok) == 1 else None


@dataclass
class Desk:
    """The people of one park request and a way to bring a fresh construction-permit item to any step."""

    rep: User
    project: Project
    permit: ApprovalItem
    agent: User
    other_agent: User
    coordinators: tuple[User, User]
    reviewers: tuple[User, User]

    def submitted(self) -> ServiceRequest:
        project = ProjectFactory.create(applicant=self.project.applicant, location=self.project.location)
        return submit_request(project=project, data=data([self.permit]), by=self.rep, channel="online")

    def unassigned(self) -> CaseItem:
        request = accept_request(request=self.submitted(), by=self.coordinators[0])
        return request.items.get()

    def collecting(self) -> CaseItem:
        """Collecting, every material received: one step from ready."""
        item = self.unassigned()
        assign_agent(item=item, agent=self.agent, by=self.coordinators[0])
        item = steps.start_collecting(item=item, by=self.agent, expected_version=item.version)
        # What `chains.receive_all` leaves behind, in one query instead of a step (and audit row) per line:
        # every round needs a fresh item, and the file must stay well under a minute.
        item.checklist.update(status=ItemMaterial.Status.RECEIVED)
        return item

    def ready(self) -> CaseItem:
        item = self.collecting()
        return steps.mark_ready(item=item, by=self.agent, expected_version=item.version)

    def filed(self) -> CaseItem:
        item = self.ready()
        return steps.file_item(
            item=item,
            external_ref=f"T-{item.pk:06d}",
            filed_on=FILED_ON,
            by=self.agent,
            expected_version=item.version,
        )

    def rounds(self, make: Callable[[], T]) -> list[T]:
        """One fresh object per round, all committed together before the first race."""
        with transaction.atomic():
            return [make() for _ in range(ROUNDS)]


@pytest.fixture
def desk(
    clock: Callable[..., object],
    youyang: Jurisdiction,
    park_project: Project,
    make_staff: Callable[..., User],
) -> Desk:
    """Only the people the races need (the shared `staff` fixture makes ten): each test reloads the
    reference data and its people, since transactional tests empty the database afterwards."""
    seed_calendar_from_library()
    rep = UserFactory.create()
    ApplicantRepresentative.objects.create(applicant=park_project.applicant, user=rep)

    def person(role: str, unit: str, **kwargs: str) -> User:
        return make_staff(role, youyang, unit, **kwargs)

    return Desk(
        rep=rep,
        project=park_project,
        permit=ApprovalItem.objects.get(jurisdiction=youyang, code="construction-permit"),
        agent=person(Role.AGENT, "gyyq"),
        other_agent=person(Role.AGENT, "gyyq"),
        coordinators=(person(Role.COORDINATOR, "gyyq"), person(Role.COORDINATOR, "gyyq")),
        reviewers=(
            person(Role.SECTION_REVIEWER, "zjw", section_code="spk"),
            person(Role.SECTION_REVIEWER, "zjw", section_code="spk"),
        ),
    )


# Races found in review: these fail until the services serialise on the item.


def test_race_1_two_reviewers_start_a_special_procedure_at_once(desk):
    tally = RaceTally("two open clock stops")
    for item in desk.rounds(desk.filed):
        outcomes = run_together(
            posted(
                steps.start_special_procedure,
                item=item,
                kind=ClockStop.Kind.PUBLICITY,
                start_on=FILED_ON,
                note="规划公示",
                by=desk.reviewers[0],
            ),
            posted(
                steps.start_special_procedure,
                item=item,
                kind=ClockStop.Kind.EXPERT_REVIEW,
                start_on=FILED_ON,
                note="专家评审",
                by=desk.reviewers[1],
            ),
        )
        tally.add(outcomes, broken=open_stops(item) != 1)
    tally.check()


def test_race_2_special_procedure_against_a_decision(desk):
    """Every other round refuses instead of approving: neither decision may pass an open stop."""
    tally = RaceTally("a decided item with an open clock stop")
    for n, item in enumerate(desk.rounds(desk.filed)):
        decide = (
            posted(
                steps.approve,
                item=item,
                decided_on=FILED_ON,
                by=desk.reviewers[1],
                expected_version=item.version,
            )
            if n % 2 == 0
            else posted(
                steps.refuse,
                item=item,
                decided_on=FILED_ON,
                reason="不符合规划条件",
                by=desk.reviewers[1],
                expected_version=item.version,
            )
        )
        outcomes = run_together(
            posted(
                steps.start_special_procedure,
                item=item,
                kind=ClockStop.Kind.HEARING,
                start_on=FILED_ON,
                note="听证",
                by=desk.reviewers[0],
            ),
            decide,
        )
        item.refresh_from_db()
        tally.add(outcomes, broken=item.state in (S.APPROVED, S.REFUSED) and open_stops(item) > 0)
    tally.check()


def test_race_3_a_correction_cannot_open_a_second_stop(desk):
    """Not even a race: one after the other, a correction request opens a second stop beside a special
    procedure's (checked for each kind). The other order is refused already, and must stay so."""
    for kind in SPECIAL_KINDS:
        item = desk.filed()
        steps.request_correction(
            item=item, on=FILED_ON, note="补充施工合同", by=desk.reviewers[0], expected_version=item.version
        )
        outcome = attempt(
            posted(
                steps.start_special_procedure,
                item=item,
                kind=kind,
                start_on=FILED_ON,
                note="",
                by=desk.reviewers[1],
            )
        )
        assert outcome.refused and outcome.has_chinese_message and open_stops(item) == 1, str(outcome)

    tally = RaceTally("a second open clock stop", contract="the correction request refused in Chinese")
    for kind in SPECIAL_KINDS:
        item = desk.filed()
        steps.start_special_procedure(item=item, kind=kind, start_on=FILED_ON, note="", by=desk.reviewers[0])
        item.refresh_from_db()
        outcome = attempt(
            posted(
                steps.request_correction,
                item=item,
                on=FILED_ON,
                note="补充施工合同",
                by=desk.reviewers[1],
                expected_version=item.version,
            )
        )
        tally.add(
            [outcome], broken=open_stops(item) > 1, kept=outcome.refused and outcome.has_chinese_message
        )
    tally.check()


def test_race_3_correction_and_special_procedure_at_once(desk):
    """The same rule when both come at once: at most one open stop per item, ever."""
    tally = RaceTally("two open clock stops")
    for item in desk.rounds(desk.filed):
        outcomes = run_together(
            posted(
                steps.request_correction,
                item=item,
                on=FILED_ON,
                note="补充施工合同",
                by=desk.reviewers[0],
                expected_version=item.version,
            ),
            posted(
                steps.start_special_procedure,
                item=item,
                kind=ClockStop.Kind.EXPERT_REVIEW,
                start_on=FILED_ON,
                note="",
                by=desk.reviewers[1],
            ),
        )
        tally.add(outcomes, broken=open_stops(item) != 1)
    tally.check()


def test_race_4_two_reviewers_end_the_same_stop(desk, clock):
    def stopped() -> ClockStop:
        return steps.start_special_procedure(
            item=desk.filed(),
            kind=ClockStop.Kind.EXPERT_REVIEW,
            start_on=FILED_ON,
            note="",
            by=desk.reviewers[0],
        )

    stops = desk.rounds(stopped)
    clock(2026, 11, 6)
    ends = (D(2026, 11, 4), D(2026, 11, 5))
    tally = RaceTally("a stop ended twice, or not on the winner's date")
    for stop in stops:
        outcomes = run_together(
            *(
                posted(steps.end_special_procedure, stop=stop, end_on=on, by=by)
                for on, by in zip(ends, desk.reviewers, strict=True)
            )
        )
        stop.refresh_from_db()
        won = winner(outcomes)
        resumed = verbs(stop.case_item, "item.clock_resumed")
        tally.add(outcomes, broken=resumed != 1 or won is None or stop.end_on != ends[won])
    tally.check()


def test_race_5_ready_while_a_key_material_goes_missing(desk):
    tally = RaceTally("an item ready to file with a key material not received")
    for item in desk.rounds(desk.collecting):
        key_line = item.checklist.filter(material__is_key=True).first()
        outcomes = run_together(
            posted(steps.mark_ready, item=item, by=desk.agent, expected_version=item.version),
            posted(
                steps.update_checklist_line,
                line=key_line,
                status=ItemMaterial.Status.MISSING,
                promised_on=None,
                note="原件遗失",
                by=desk.agent,
            ),
        )
        item.refresh_from_db()
        key_missing = item.checklist.filter(material__is_key=True).exclude(
            status=ItemMaterial.Status.RECEIVED
        )
        tally.add(outcomes, broken=item.state == S.READY and key_missing.exists())
    tally.check()


def test_race_6_one_reviewer_in_two_tabs_starts_a_special_procedure(desk):
    tally = RaceTally("two open clock stops")
    for item in desk.rounds(desk.filed):
        tab = posted(
            steps.start_special_procedure,
            item=item,
            kind=ClockStop.Kind.PUBLICITY,
            start_on=FILED_ON,
            note="规划公示",
            by=desk.reviewers[0],
        )
        # Each call reads the item and the user afresh, as each tab's post would.
        outcomes = run_together(tab, tab)
        tally.add(outcomes, broken=open_stops(item) != 1)
    tally.check()


# Regression guards: these hold today, and must keep holding.


def test_approve_against_a_correction_request(desk):
    tally = RaceTally("an approved item with a correction stop, or a correction without exactly its stop")
    for item in desk.rounds(desk.filed):
        outcomes = run_together(
            posted(
                steps.approve,
                item=item,
                decided_on=FILED_ON,
                by=desk.reviewers[0],
                expected_version=item.version,
            ),
            posted(
                steps.request_correction,
                item=item,
                on=FILED_ON,
                note="补充施工合同",
                by=desk.reviewers[1],
                expected_version=item.version,
            ),
        )
        item.refresh_from_db()
        stops = list(ClockStop.objects.filter(case_item=item).values_list("kind", "end_on"))
        approved = item.state == S.APPROVED and stops == []
        corrected = item.state == S.CORRECTION_REQUESTED and stops == [(ClockStop.Kind.CORRECTION, None)]
        tally.add(outcomes, broken=not (approved or corrected))
    tally.check()


def test_the_same_item_filed_twice_at_once(desk):
    tally = RaceTally("an item filed twice, or not under the winner's receipt number")
    for item in desk.rounds(desk.ready):
        refs = (f"RACE-{item.pk:06d}-A", f"RACE-{item.pk:06d}-B")
        outcomes = run_together(
            *(
                posted(
                    steps.file_item,
                    item=item,
                    external_ref=ref,
                    filed_on=FILED_ON,
                    by=desk.agent,
                    expected_version=item.version,
                )
                for ref in refs
            )
        )
        item.refresh_from_db()
        won = winner(outcomes)
        tally.add(
            outcomes, broken=verbs(item, "item.filed") != 1 or won is None or item.external_ref != refs[won]
        )
    tally.check()


def test_two_coordinators_decide_a_request_at_once(desk):
    """Even rounds: both accept. Odd rounds: one accepts while the other declines."""
    tally = RaceTally("a request decided twice, or not as the winner decided")
    first, second = desk.coordinators
    for n, request in enumerate(desk.rounds(desk.submitted)):
        if n % 2 == 0:
            calls = (
                posted(accept_request, request=request, by=first),
                posted(accept_request, request=request, by=second),
            )
            states = (ServiceRequest.State.ACCEPTED, ServiceRequest.State.ACCEPTED)
        else:
            calls = (
                posted(accept_request, request=request, by=first),
                posted(decline_request, request=request, reason="不属于代办范围", by=second),
            )
            states = (ServiceRequest.State.ACCEPTED, ServiceRequest.State.DECLINED)
        outcomes = run_together(*calls)
        request.refresh_from_db()
        won = winner(outcomes)
        decisions = verbs(request, "request.accepted") + verbs(request, "request.declined")
        tally.add(
            outcomes,
            broken=decisions != 1
            or won is None
            or request.state != states[won]
            or request.decided_by_id != (first, second)[won].pk,
        )
    tally.check()


def test_two_coordinators_assign_different_agents_at_once(desk):
    """The first assignment wins; the second is a reassignment, which needs a reason, so it is refused
    rather than silently replacing the first."""
    tally = RaceTally("not exactly one assignment row, open and held by the winner's agent")
    agents = (desk.agent, desk.other_agent)
    for item in desk.rounds(desk.unassigned):
        outcomes = run_together(
            *(
                posted(assign_agent, item=item, agent=agent, by=by)
                for agent, by in zip(agents, desk.coordinators, strict=True)
            )
        )
        item.refresh_from_db()
        won = winner(outcomes)
        rows = list(ItemAssignment.objects.filter(case_item=item).values_list("agent_id", "ended_at"))
        tally.add(
            outcomes,
            broken=won is None or item.agent_id != agents[won].pk or rows != [(agents[won].pk, None)],
        )
    tally.check()


def test_two_submissions_at_once_in_one_jurisdiction_get_consecutive_numbers(desk):
    """Different projects, so only the request counter serialises them."""
    projects = [
        ProjectFactory.create(applicant=desk.project.applicant, location=desk.project.location)
        for _ in range(2 * ROUNDS)
    ]
    numbers: list[int] = []
    for n in range(ROUNDS):
        outcomes = run_together(
            *(
                posted(
                    submit_request, project=project, data=data([desk.permit]), by=desk.rep, channel="online"
                )
                for project in projects[2 * n : 2 * n + 2]
            )
        )
        assert all(o.ok for o in outcomes), [str(o) for o in outcomes]
        numbers += sorted(o.value.number for o in outcomes)  # type: ignore[attr-defined]
    assert numbers == list(range(1, 2 * ROUNDS + 1))
    assert ServiceRequest.objects.values("year", "number").distinct().count() == 2 * ROUNDS
