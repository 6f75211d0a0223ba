"""The list pages' query plans at scale, on PostgreSQL (issue #19): no page reads the whole case-item table.

A handful of real requests in every role's slice (the query-count world) sits among thousands of others
spread over two districts, their townships, departments and agents, so each person's slice is a small part
of the whole as in the city. After ANALYZE, each list page is requested for each role; every query it runs
is EXPLAINed and the test fails on a sequential scan of `cases_caseitem`: the planner misjudged a scope (an
OR of subqueries it cannot estimate) and reads every item of the city to show twenty-five rows.

Run: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban pytest tests/test_query_plans.py
(skipped on SQLite, whose planner is another matter).
"""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.cases.services.requests import frozen_case_item
from daiban.cases.tests.conftest import clock, items, park_project, rep, staff, town_project  # noqa: F401
from daiban.catalogue.models import ApprovalItem
from daiban.feedback.tests.conftest import reviewer  # noqa: F401
from daiban.organizations.models import Jurisdiction, Unit, User
from daiban.projects.tests.factories import ProjectFactory

from .test_query_counts import World, _who, grow, world  # noqa: F401

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans are PostgreSQL's (set DATABASE_URL=postgresql://…)",
)

REQUESTS = 4_000  # others' requests, 8 items each: 32,000 items
ITEMS_PER_REQUEST = 8
AGENTS_PER_DISTRICT = 25

# (page, who, URL name): every list page of the cases app, for each role that opens it
LISTS = [
    ("request list", who, "cases:request_list")
    for who in (
        "rep",
        "park_coord",
        "zjw_coord",
        "town_coord",
        "park_agent",
        "clerk",
        "reviewer",
        "supervisor",
        "city_supervisor",
    )
] + [
    ("worklist", "park_agent", "cases:worklist"),
    ("worklist", "zjw_agent", "cases:worklist"),
    ("dispatch queue", "park_coord", "cases:dispatch"),
    ("dispatch queue", "zjw_coord", "cases:dispatch"),
    ("dispatch queue", "town_coord", "cases:dispatch"),
]


def _others(districts: list[Jurisdiction], rng: random.Random) -> None:
    """Everyone else's requests: in random localities of both districts, nine in ten in the other one (the
    city has forty; a department's reviewer in one district must see a city-like share of the items),
    each item with its frozen terms (department or park) and one of many agents, or none yet."""
    submitter = User.objects.create(username="others-submitter")
    for district in districts:
        User.objects.bulk_create(
            User(username=f"others-{district.code}-{n}") for n in range(AGENTS_PER_DISTRICT)
        )
    agents = {
        d.pk: list(User.objects.filter(username__startswith=f"others-{d.code}-").values_list("pk", flat=True))
        for d in districts
    }
    localities = {
        d.pk: list(d.units.filter(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.PARK])) for d in districts
    }
    catalogue = {
        d.pk: list(
            ApprovalItem.objects.filter(jurisdiction=d, is_active=True).select_related(
                "department", "section", "result_document"
            )
        )
        for d in districts
    }
    projects = {
        d.pk: [ProjectFactory.create(applicant__jurisdiction=d) for _ in range(10)] for d in districts
    }
    weights = [1] + [9] * (len(districts) - 1)
    requests = []
    for n in range(REQUESTS):
        district = rng.choices(districts, weights)[0]
        project = rng.choice(projects[district.pk])
        requests.append(
            ServiceRequest(
                jurisdiction=district,
                project=project,
                applicant_id=project.applicant_id,
                locality=rng.choice(localities[district.pk]),
                mode=ServiceRequest.Mode.ASSIST,
                channel=ServiceRequest.Channel.ONLINE,
                state=rng.choice(ServiceRequest.State.values),
                submitted_by=submitter,
                year=2025,  # numbered apart from the real requests of 2026
                number=n + 1,
            )
        )
    ServiceRequest.objects.bulk_create(requests, batch_size=2_000)
    start = timezone.now() - dt.timedelta(days=600)
    for n, request in enumerate(requests):  # spread over the period, as the dashboards' ranges assume
        request.submitted_at = start + dt.timedelta(hours=3 * n)
    ServiceRequest.objects.bulk_update(requests, ["submitted_at"], batch_size=2_000)
    rows = []
    for request in requests:
        chosen = rng.sample(catalogue[request.jurisdiction_id], ITEMS_PER_REQUEST)
        for position, approval_item in enumerate(chosen):
            item = frozen_case_item(request, approval_item)
            item.position = position
            item.agent_id = rng.choice([None, *agents[request.jurisdiction_id]])
            item.state = rng.choice(CaseItem.State.values)
            rows.append(item)
    CaseItem.objects.bulk_create(rows, batch_size=5_000)


def test_list_pages_never_scan_the_case_item_table(world: World, dazu: Jurisdiction) -> None:  # noqa: F811
    grow(world, 2)
    _others([world.youyang, dazu], random.Random(19))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    scans = {}
    for page, who, name in LISTS:
        client = Client()
        client.force_login(_who(world, who))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200, (page, who, response.status_code)
        item_queries = [q["sql"] for q in queries if "cases_caseitem" in q["sql"]]
        assert item_queries or name == "cases:request_list", (page, who, "reads no items?")
        for sql in item_queries:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            if "Seq Scan on cases_caseitem" in plan:
                scans.setdefault((page, who), []).append(f"{sql}\n{plan}")
    assert scans == {}, "sequential scans of the case items:\n\n" + "\n\n".join(
        f"{key}:\n" + "\n".join(found) for key, found in scans.items()
    )
