"""Every oversight page refuses the roles that may not use it, and outsiders find nothing."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dashboard", "dashboard_items", "ledger_list", "inspection_list"])
def test_agents_clerks_and_applicants_are_refused(client, name, staff, rep):
    for person in (staff["park_agent"], staff["clerk"], rep):
        client.force_login(person)
        assert client.get(reverse(f"oversight:{name}")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ranking", "inspection_create", "ledger_export"])
def test_only_supervisors_rank_inspect_and_export(client, name, staff):
    for person in (staff["park_coord"], staff["park_agent"], staff["clerk"]):
        client.force_login(person)
        assert client.get(reverse(f"oversight:{name}")).status_code == 403


@pytest.mark.django_db
def test_raising_a_problem_needs_an_agent_or_coordinator(client, staff, rep):
    url = reverse("oversight:issue_create")
    for person in (staff["clerk"], staff["supervisor"], rep):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(staff["town_coord"])
    bad = client.post(url, {"title": "短", "description": "短"})
    assert bad.status_code == 400 and "请" in bad.content.decode()
