"""The promises counted where the oversight looks: the dashboard, a unit's quarterly ledger and the ranking
(a column per promise, or an indicator); and the promises page with the words and colours of item
deadlines."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from daiban.cases.models import ServiceRequest
from daiban.cases.services import RequestData, accept_request, assign_agent, submit_request
from daiban.oversight.assessment import rank_agents, rank_units
from daiban.service_levels.clocks import refresh_clocks
from daiban.service_levels.models import Promise, PromiseClock
from daiban.workdays.quarters import Quarter
from daiban.workdays.services import seed_calendar_from_library

D = dt.date
pytestmark = pytest.mark.django_db


def counts(page, promise):
    """Kept on time, kept late, overdue, running: the numbers of the promise's row."""
    row = page.split(f'id="promise-{promise}"')[1].split("</tr>")[0]
    return [int(n) for n in re.findall(r">(\d+)<", row)]


@pytest.fixture
def scenario(clock, park_project, town_project, rep, items, staff):
    """In the park, submitted Monday 09-28: one accepted the same day (acceptance kept), one accepted on
    10-09 (kept late). In the township: one never accepted (overdue). Swept on 10-09."""
    seed_calendar_from_library()

    def submit(project, chosen):
        data = RequestData(
            mode="proxy", approval_items=chosen, consent=True, free_of_charge_acknowledged=True
        )
        return submit_request(project=project, data=data, by=rep, channel="online")

    clock(2026, 9, 28)
    kept = submit(park_project, items[:1])
    late = submit(park_project, items[1:2])
    waiting = submit(town_project, items[:1])
    accept_request(request=kept, by=staff["park_coord"])
    for item in kept.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    clock(2026, 10, 9)
    accept_request(request=late, by=staff["park_coord"])
    refresh_clocks(D(2026, 10, 9))
    return kept, late, waiting


def test_dashboard_counts_each_promise(scenario, client, staff):
    client.force_login(staff["supervisor"])
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert 'id="service-promises"' in page
    assert counts(page, "acceptance") == [1, 1, 1, 0]
    assert "33.3%" in page.split('id="promise-acceptance"')[1].split("</tr>")[0]
    assert counts(page, "first_visit") == [0, 0, 1, 0]  # due 10-08, no visit yet


def test_a_coordinator_counts_only_their_townships_and_parks(scenario, client, staff):
    client.force_login(staff["town_coord"])
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert counts(page, "acceptance") == [0, 0, 1, 0]


def test_the_ledger_shows_the_units_promises(scenario, client, staff, youyang):
    client.force_login(staff["supervisor"])
    park = youyang.units.get(code="gyyq")
    url = reverse("oversight:ledger_detail", kwargs={"unit_pk": park.pk, "year": 2026, "quarter": 3})
    page = client.get(url).content.decode()
    # both park requests were submitted in Q3; the township's is not the park's
    assert counts(page, "acceptance") == [1, 1, 0, 0]


def test_the_ranking_has_a_promises_indicator(scenario, youyang, staff):
    q3 = Quarter(2026, 3)
    units = {r.subject.code: r.values["promises"] for r in rank_units(youyang, q3)}
    assert (
        units["gyyq"] == 40.0
    )  # park: acceptance ×2 (1 on time), assignment ×2, first contact/visit overdue
    assert units["township-003"] == 0.0
    agents = {r.subject.pk: r.values["promises"] for r in rank_agents(youyang, q3)}
    assert agents[staff["park_agent"].pk] == 0.0  # contact and visit overdue


def test_the_promises_page_uses_the_deadline_words_and_colours(scenario, client, staff, clock):
    kept, _late, _waiting = scenario
    clock(2026, 10, 9)
    client.force_login(staff["park_agent"])
    page = client.get(reverse("service_levels:promises")).content.decode()
    assert "clock clock-overdue" in page
    assert kept.reference in page
    assert "首次上门" in page and "已超期 1 个工作日（期限 2026-10-08）" in page  # the item clock's words
    client.force_login(staff["other_town_coord"])
    page = client.get(reverse("service_levels:promises")).content.decode()
    assert kept.reference not in page  # neither theirs nor in their township


def test_counts_cost_the_same_queries_at_n_and_2n(scenario, client, staff, django_assert_max_num_queries):
    client.force_login(staff["supervisor"])
    client.get(reverse("oversight:dashboard"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("oversight:dashboard"))
    rows = list(PromiseClock.objects.all())
    for clock in rows:  # double the clocks
        clock.pk = None
        clock.object_id += 10_000
    PromiseClock.objects.bulk_create(rows)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("oversight:dashboard"))
    assert len(large) == len(small)
    assert (
        ServiceRequest.objects.count() == 3
        and PromiseClock.objects.filter(promise=Promise.ACCEPTANCE).count() == 6
    )
