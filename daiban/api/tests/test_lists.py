"""Cursor pagination, filters, ETags and the schema document itself."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from openapi_spec_validator import validate

from daiban.api.models import Scope
from daiban.cases.services import accept_request, submit_request
from daiban.cases.tests.conftest import data
from daiban.projects.tests.factories import ProjectFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def three(park_project, rep, items, staff):
    made = []
    for _ in range(3):
        project = ProjectFactory.create(applicant=park_project.applicant, location=park_project.location)
        made.append(submit_request(project=project, data=data(items[:1]), by=rep, channel="online"))
    return made


def test_the_cursor_walks_every_row_once(make_client, three):
    signed = make_client(Scope.READ_CASES)
    seen, path = [], "/api/v1/requests?limit=1"
    while True:
        page = signed.get(path).json()
        seen += [r["id"] for r in page["items"]]
        if not page["next_cursor"]:
            break
        path = f"/api/v1/requests?limit=1&cursor={page['next_cursor']}"
    assert seen == sorted(r.pk for r in three)


def test_filters_state_unit_and_updated_since(make_client, three, staff):
    signed = make_client(Scope.READ_CASES)
    accept_request(request=three[0], by=staff["park_coord"])
    accepted = signed.get("/api/v1/requests?state=accepted").json()["items"]
    assert [r["id"] for r in accepted] == [three[0].pk]
    park = three[0].locality_id
    assert len(signed.get(f"/api/v1/requests?unit={park}").json()["items"]) == 3
    assert signed.get("/api/v1/requests?unit=999999").json()["items"] == []
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert signed.get(f"/api/v1/requests?updated_since={future}").json()["items"] == []
    assert len(signed.get("/api/v1/requests?updated_since=2000-01-01T00:00:00Z").json()["items"]) == 3


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("cursor=%%%", "cursor_invalid"),
        ("cursor=LTE", "cursor_invalid"),
        ("limit=0", "limit_invalid"),
        ("limit=201", "limit_invalid"),
    ],
)
def test_bad_paging_is_a_400_problem(make_client, query, code):
    response = make_client(Scope.READ_CASES).get(f"/api/v1/requests?{query}")
    assert response.status_code == 400 and response.json()["code"] == code


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00", "1900-01-01T00:00:00Z", "2999-01-01T00:00:00Z"])
def test_an_updated_since_outside_the_platform_range_is_a_422_problem(make_client, since):
    """Year 1 used to reach the database and answer 500; the one date range holds for the API too."""
    response = make_client(Scope.READ_CASES).get(f"/api/v1/requests?updated_since={since}")
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert "2000-01-01" in response.json()["errors"][0]["message"]


def test_etag_answers_304_until_the_item_changes(make_client, three, staff):
    signed = make_client(Scope.READ_CASES)
    item = three[0].items.first()
    first = signed.get(f"/api/v1/items/{item.pk}")
    assert first.status_code == 200 and first["ETag"]
    assert signed.get(f"/api/v1/items/{item.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    type(item).objects.filter(pk=item.pk).update(version=item.version + 1)
    assert signed.get(f"/api/v1/items/{item.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_schema_is_valid_openapi_and_the_reference_page_lists_it(db):
    schema = Client().get("/api/v1/openapi.json").json()
    validate(schema)
    assert "/api/v1/items/{item_id}/events" in schema["paths"]
    page = Client().get("/api/v1/docs/").content.decode()
    assert "/api/v1/items/{item_id}/events" in page and "<script>" not in page
