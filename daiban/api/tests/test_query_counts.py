"""The list and detail endpoints cost a bounded number of queries, the same for N and 2N rows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from daiban.api.models import Scope
from daiban.cases.services import submit_request
from daiban.cases.tests.conftest import data
from daiban.projects.tests.factories import ProjectFactory

MAX_QUERIES = 10


def _add_requests(n, park_project, rep, items):
    for _ in range(n):
        project = ProjectFactory.create(applicant=park_project.applicant, location=park_project.location)
        submit_request(project=project, data=data(items), by=rep, channel="online")


def _count(signed, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = signed.get(path)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/items"])
def test_lists_cost_the_same_for_n_and_2n_rows(make_client, park_project, rep, items, staff, path):
    signed = make_client(Scope.READ_CASES)
    _add_requests(3, park_project, rep, items)
    few, first = _count(signed, path)
    _add_requests(3, park_project, rep, items)
    many, second = _count(signed, path)
    assert len(second["items"]) == 2 * len(first["items"]) > 0
    assert few == many <= MAX_QUERIES, (few, many)


def test_list_with_django_assert(make_client, park_project, rep, items, staff, django_assert_max_num_queries):
    signed = make_client(Scope.READ_CASES)
    _add_requests(4, park_project, rep, items)
    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES):
        assert len(signed.get("/api/v1/items?limit=200").json()["items"]) == 12
