"""Table-driven: every action from every state is either in the graph or refused, with nothing changed."""

import pytest
from django.core.exceptions import ValidationError

from daiban.cases.models import ServiceRequest, TimelineEntry
from daiban.cases.services import _move
from daiban.cases.states import REQUEST_TRANSITIONS

CASES = [(action, state) for action in REQUEST_TRANSITIONS for state in ServiceRequest.State.values]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), CASES)
def test_every_move(submitted, action, state):
    ServiceRequest.objects.filter(pk=submitted.pk).update(state=state)
    submitted.refresh_from_db()
    before = TimelineEntry.objects.filter(request=submitted).count()
    target = REQUEST_TRANSITIONS[action].get(state)
    if target is None:
        with pytest.raises(ValidationError) as exc:
            _move(submitted, action, by=None)
        assert "不能" in exc.value.messages[0]
        submitted.refresh_from_db()
        assert submitted.state == state
        assert TimelineEntry.objects.filter(request=submitted).count() == before
    else:
        _move(submitted, action, by=None)
        submitted.refresh_from_db()
        assert submitted.state == target
        entry = TimelineEntry.objects.filter(request=submitted).latest("id")
        assert (entry.from_state, entry.to_state) == (state, target)


def test_graph_is_what_the_flow_chart_says():
    S = ServiceRequest.State
    assert REQUEST_TRANSITIONS == {
        "accept": {S.SUBMITTED: S.ACCEPTED},
        "decline": {S.SUBMITTED: S.DECLINED},
        "withdraw": {S.SUBMITTED: S.WITHDRAWN},
        "dispatch": {S.ACCEPTED: S.DISPATCHED},
        "complete": {S.DISPATCHED: S.COMPLETED},
    }
