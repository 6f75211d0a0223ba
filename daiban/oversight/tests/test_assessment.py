import datetime as dt

import pytest
from django.urls import reverse

from daiban.feedback.services import CallbackData, record_callback
from daiban.oversight.assessment import rank_agents, rank_units, score, weights_for
from daiban.oversight.models import AssessmentWeight
from daiban.workdays.quarters import Quarter


@pytest.mark.parametrize(
    ("values", "weights", "expected"),
    [
        ({"a": 50, "b": 100}, {"a": 1, "b": 1}, 75.0),
        ({"a": 50, "b": 100}, {"a": 3, "b": 1}, 62.5),
        ({"a": 50, "b": None}, {"a": 1, "b": 5}, 50.0),  # no data: left out, the rest carries the score
        ({"a": None, "b": None}, {"a": 1, "b": 1}, None),
        ({"a": 80, "b": 20}, {"a": 1, "b": 0}, 80.0),  # weight 0: not counted
        ({"a": 1, "b": 2, "c": 2}, {"a": 1, "b": 1, "c": 1}, 1.67),
    ],
)
def test_score_is_the_weighted_mean_of_available_indicators(values, weights, expected):
    assert score(values, weights) == expected


@pytest.mark.django_db
def test_units_ranked_from_the_quarters_figures(quarter, youyang):
    ranked = rank_units(youyang, Quarter(2026, 3))
    top = ranked[0]
    assert (top.rank, top.subject.code) == (1, "gyyq")
    # on time 1 of 2; speed 4 limit days over 6 used; satisfaction (3.5 − 1) / 4; no call-back; no issue due.
    assert top.values == {
        "on_time": 50.0,
        "speed": 66.67,
        "satisfaction": 62.5,
        "callbacks": None,
        "issues": None,
        "promises": None,  # no promise clock in this quarter: left out of the score
    }
    assert top.score == round((50 + 66.67 + 62.5) / 3, 2)
    assert all(r.score is None for r in ranked[1:])


@pytest.mark.django_db
def test_agents_ranked_and_weights_configurable(quarter, youyang, staff):
    first, second = rank_agents(youyang, Quarter(2026, 3))
    assert (first.subject, second.subject) == (staff["park_agent"], staff["park_agent2"])
    assert first.values["satisfaction"] == round((14 / 3 - 1) / 4 * 100, 2)
    assert (second.values["on_time"], second.values["speed"]) == (0.0, 60.0)
    assert second.score == round((0 + 60 + round((7 / 3 - 1) / 4 * 100, 2)) / 3, 2)
    AssessmentWeight.objects.create(jurisdiction=youyang, target="agent", indicator="speed", weight=4)
    assert weights_for(youyang, "agent") == {
        "on_time": 1.0,
        "speed": 4.0,
        "satisfaction": 1.0,
        "callbacks": 1.0,
        "issues": 1.0,
        "promises": 1.0,
    }
    assert rank_agents(youyang, Quarter(2026, 3))[1].score == round(
        (0 + 4 * 60 + round((7 / 3 - 1) / 4 * 100, 2)) / 6, 2
    )


@pytest.mark.django_db
def test_ranking_page_shows_the_formula_to_supervisors_only(client, quarter, staff, dz_supervisor):
    url = reverse("oversight:ranking")
    for wrong_role in (staff["park_coord"], staff["park_agent"]):
        client.force_login(wrong_role)
        assert client.get(url).status_code == 403
    client.force_login(dz_supervisor)
    assert "工业园区" not in client.get(url, {"j": "500242", "year": 2026, "quarter": 3}).content.decode()
    client.force_login(staff["supervisor"])
    page = client.get(url, {"year": 2026, "quarter": 3}).content.decode()
    assert "Σ" in page and "59.72" in page
    # On a phone each cell is labelled with its indicator's name, not its code.
    assert 'data-label="按时办结率' in page and 'data-label="on_time"' not in page
    agents = client.get(url, {"year": 2026, "quarter": 3, "target": "agent"}).content.decode()
    assert staff["park_agent"].display_name in agents


@pytest.mark.django_db
def test_call_backs_count_once_per_unit(quarter, youyang, hall_manager, staff, clock):
    clock(2026, 9, 18)
    for overall in (5, 3):
        record_callback(
            request=quarter,
            by=hall_manager,
            ratings={staff["park_agent"].pk: 4},
            data=CallbackData(
                called_on=dt.date(2026, 9, 18), reached=True, contact_person="张经理", overall=overall
            ),
        )
    park = next(r for r in rank_units(youyang, Quarter(2026, 3)) if r.subject.code == "gyyq")
    assert park.values["callbacks"] == 50.0  # one of two reached call-backs heard 满意 or better
    agent = next(r for r in rank_agents(youyang, Quarter(2026, 3)) if r.subject == staff["park_agent"])
    assert agent.values["callbacks"] == 75.0  # hall managers' rating 4: (4 − 1) / 4
