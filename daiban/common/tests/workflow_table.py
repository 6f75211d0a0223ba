"""The table test every graph gets: each (action, state, person) is either allowed or refused, exactly as
the graph's table and its actors say — checked through the same `refusal` the pages and `apply` use."""

from collections.abc import Mapping

from django.db import models

from daiban.common.workflow import Workflow


def table_mismatches(
    workflow: Workflow[models.Model],
    obj: models.Model,
    people: Mapping[str, object],
    acts_as: Mapping[str, set[str]],
) -> list[str]:
    """Every (action, state, person) whose answer differs from the expectation: allowed exactly when the
    state is one of the move's sources and the person is one of `acts_as[actor name]`. The object's
    state is set in memory only; nothing is saved."""
    states = [value for value, _label in obj._meta.get_field(workflow.state_field).choices]
    original = getattr(obj, workflow.state_field)
    wrong = []
    try:
        for move in workflow.moves:
            for state in states:
                setattr(obj, workflow.state_field, state)
                for name, person in people.items():
                    expected = state in move.sources and name in acts_as[move.actor.name]
                    refusal = workflow.refusal(obj, move.action, by=person)
                    if expected != (refusal is None):
                        wrong.append(f"{move.action} from {state} by {name}: {refusal or 'allowed'}")
                    if refusal is not None:
                        assert refusal.strip(), "a refusal always says why"
    finally:
        setattr(obj, workflow.state_field, original)
    return wrong


def triples(workflow: Workflow[models.Model], model: type[models.Model], people: int) -> int:
    states = model._meta.get_field(workflow.state_field).choices or ()
    return len(workflow.moves) * len(states) * people
