"""Table-driven: every (action, state, person) of the request's and the item's graphs is either allowed
or refused exactly as the tables say; an allowed move saves, writes its timeline and audit entries, a
refused one changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from daiban.cases.models import CaseItem, ServiceRequest, TimelineEntry
from daiban.cases.workflows import ITEM, REQUEST
from daiban.common.models import AuditEntry
from daiban.common.tests.workflow_table import table_mismatches
from daiban.organizations.models import Role

S = ServiceRequest.State
I = CaseItem.State  # noqa: E741


def test_request_graph_is_what_the_flow_chart_says():
    assert REQUEST.transitions() == {
        "accept": {S.SUBMITTED: S.ACCEPTED},
        "decline": {S.SUBMITTED: S.DECLINED},
        "withdraw": {S.SUBMITTED: S.WITHDRAWN, S.ACCEPTED: S.WITHDRAWN, S.DISPATCHED: S.WITHDRAWN},
        "dispatch": {S.ACCEPTED: S.DISPATCHED},
        "complete": {S.DISPATCHED: S.COMPLETED},
    }
    assert {m.action: m.actor.name for m in REQUEST.moves} == {
        "accept": "system",  # follows from the items' decisions (ADR 0022)
        "decline": "system",
        "withdraw": "applicant",
        "dispatch": "system",
        "complete": "system",
    }


def test_item_graph_is_what_the_flow_chart_says():
    review = {I.FILED, I.UNDER_REVIEW, I.RESUBMITTED}
    assert ITEM.transitions() == {
        "start_collecting": {I.PLANNED: I.COLLECTING},
        "mark_ready": {I.COLLECTING: I.READY},
        "file": {I.READY: I.FILED},
        "start_review": {I.FILED: I.UNDER_REVIEW, I.RESUBMITTED: I.UNDER_REVIEW},
        "request_correction": dict.fromkeys(sorted(review), I.CORRECTION_REQUESTED),
        "resubmit": {I.CORRECTION_REQUESTED: I.RESUBMITTED},
        "approve": dict.fromkeys(sorted(review), I.APPROVED),
        "refuse": dict.fromkeys(sorted(review), I.REFUSED),
        "pick_up": {I.APPROVED: I.PICKED_UP},
        "deliver": {I.APPROVED: I.DELIVERED, I.PICKED_UP: I.DELIVERED},  # e-certificates skip pick-up
    }
    agent_moves = {"start_collecting", "mark_ready", "resubmit"}
    # 帮办: the enterprise records its own filing, pick-up and delivery; 代办: the agent does.
    filer_moves = {"file", "pick_up", "deliver"}
    assert {m.action for m in ITEM.moves if m.actor.name == "agent"} == agent_moves
    assert {m.action for m in ITEM.moves if m.actor.name == "agent_or_assisted_applicant"} == filer_moves
    assert {m.action for m in ITEM.moves if m.actor.name == "section_reviewer"} == set(
        ITEM.actions
    ) - agent_moves - filer_moves
    assert ITEM.terminal == {I.DELIVERED, I.REFUSED}
    assert ITEM.clock_running == {I.FILED, I.UNDER_REVIEW, I.CORRECTION_REQUESTED, I.RESUBMITTED}


@pytest.mark.django_db
def test_every_request_move_by_every_person(submitted, rep, staff):
    people = {
        "applicant": rep,
        "park coordinator": staff["park_coord"],
        "other township's coordinator": staff["other_town_coord"],
        "agent": staff["park_agent"],
        "clerk": staff["clerk"],
        "supervisor": staff["supervisor"],
    }
    acts_as = {"coordinator": {"park coordinator"}, "applicant": {"applicant"}, "system": set(people)}
    assert table_mismatches(REQUEST, submitted, people, acts_as) == []


@pytest.fixture
def permit_item(dispatched):
    return dispatched.items.select_related("approval_item", "request").get(
        approval_item__code="construction-permit"
    )


@pytest.mark.django_db
def test_every_item_move_by_every_person(permit_item, rep, staff, youyang, make_staff):
    people = {
        "the item's agent": staff["park_agent2"],
        "another agent": staff["park_agent"],
        "reviewer of the department's section": make_staff(
            Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk"
        ),
        "reviewer of another department": make_staff(
            Role.SECTION_REVIEWER, youyang, "fgw", section_code="tzk"
        ),
        "coordinator": staff["park_coord"],
        "applicant": rep,
        "supervisor": staff["supervisor"],
    }
    acts_as = {
        "agent": {"the item's agent"},
        "agent_or_assisted_applicant": {"the item's agent"},  # 代办: not the applicant
        "section_reviewer": {"reviewer of the department's section"},
    }
    assert permit_item.result_document.is_e_certificate  # so delivery from approval is open
    assert table_mismatches(ITEM, permit_item, people, acts_as) == []
    ServiceRequest.objects.filter(pk=permit_item.request_id).update(mode=ServiceRequest.Mode.ASSIST)
    permit_item.request.refresh_from_db()
    acts_as["agent_or_assisted_applicant"] = {"the item's agent", "applicant"}  # 帮办: the enterprise files
    assert table_mismatches(ITEM, permit_item, people, acts_as) == []


@pytest.mark.django_db
def test_no_item_move_while_the_request_is_not_handled(permit_item, staff):
    ServiceRequest.objects.filter(pk=permit_item.request_id).update(state=S.COMPLETED)
    permit_item.request.refresh_from_db()
    assert ITEM.refusal(permit_item, "start_collecting", by=staff["park_agent2"]) == "该申请不在办理中。"


CASES = [(m.action, state) for m in REQUEST.moves for state in S.values]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), CASES)
def test_every_request_move_writes_or_refuses_everything(submitted, rep, staff, action, state):
    ServiceRequest.objects.filter(pk=submitted.pk).update(state=state)
    submitted.refresh_from_db()
    actor = {"coordinator": staff["park_coord"], "applicant": rep, "system": staff["park_coord"]}[
        REQUEST.move(action).actor.name
    ]
    timeline, audit = TimelineEntry.objects.count(), AuditEntry.objects.count()
    target = REQUEST.target(action, state)
    if target is None:
        with pytest.raises(ValidationError) as exc:
            REQUEST.apply(submitted, action, by=actor)
        assert "不能" in exc.value.messages[0]
        submitted.refresh_from_db()
        assert submitted.state == state
        assert (TimelineEntry.objects.count(), AuditEntry.objects.count()) == (timeline, audit)
    else:
        REQUEST.apply(REQUEST.lock(submitted), action, by=actor)
        submitted.refresh_from_db()
        assert submitted.state == target
        entry = TimelineEntry.objects.filter(request=submitted).latest("id")
        assert (entry.from_state, entry.to_state, entry.verb) == (state, target, REQUEST.move(action).verb)
        logged = AuditEntry.objects.latest("id")
        assert logged.before is not None and logged.after is not None
        assert (logged.verb, logged.before["state"], logged.after["state"]) == (entry.verb, state, target)
        assert logged.jurisdiction_code == submitted.jurisdiction.code


@pytest.mark.django_db
def test_a_stale_page_is_refused(submitted, staff):
    stale = ServiceRequest.objects.get(pk=submitted.pk)
    ServiceRequest.objects.filter(pk=submitted.pk).update(state=S.WITHDRAWN)
    with pytest.raises(ValidationError, match="刷新"):
        REQUEST.apply(stale, "accept", by=staff["park_coord"])
    assert ServiceRequest.objects.get(pk=submitted.pk).state == S.WITHDRAWN
