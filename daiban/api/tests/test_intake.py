"""Intake from the 帮代办区: the forms' validation, `submit_request`'s path, once per external id."""

import pytest
from django.core.cache import cache

from daiban.api.models import Scope
from daiban.cases.models import ServiceRequest
from daiban.notifications.models import Notification


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def portal(make_client):
    return make_client(Scope.CREATE_REQUESTS, Scope.READ_CASES)


def body(project, **overrides):
    values = {
        "external_id": "ykb-0001",
        "enterprise": {"uscc": project.applicant.uscc},
        "contact": {"name": "张经理", "mobile": "13800000001"},
        "project": {
            "name": project.name,
            "code": project.project_code,
            "location": project.location.code,
            "investment_amount": "1000.00",
            "land_area": "10.00",
            "floor_area": "20.00",
        },
        "items": ["project-filing"],
        "mode": "proxy",
        "consent": True,
        "free_of_charge_acknowledged": True,
    }
    values.update(overrides)
    return values


def test_a_request_is_submitted_once_and_follows_acceptance(portal, park_project, rep, staff):
    first = portal.post("/api/v1/requests", body(park_project))
    assert first.status_code == 201, first.content
    request = ServiceRequest.objects.get(pk=first.json()["id"])
    assert (request.state, request.channel, request.submitted_by) == ("submitted", "online", rep)
    assert request.project == park_project and [i.approval_item.code for i in request.items.all()] == [
        "project-filing"
    ]
    assert Notification.objects.filter(recipient=staff["park_coord"]).exists()
    again = portal.post("/api/v1/requests", body(park_project))
    assert again.status_code == 200 and again.json()["id"] == request.pk
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"enterprise": {"uscc": "91500242MA5U000000"}}, "enterprise.uscc"),  # bad check digit
        ({"contact": {"mobile": "12345"}}, "contact.mobile"),
        ({"contact": {"mobile": "13900000009"}}, "contact.mobile"),  # not a representative
        ({"items": ["no-such-item"]}, "items"),
        ({"mode": "proxy", "consent": False}, "consent"),
    ],
)
def test_the_forms_validation_refuses_and_saves_nothing(portal, park_project, rep, change, field):
    response = portal.post("/api/v1/requests", body(park_project, **change))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]] and response.json()["detail"]
    assert not ServiceRequest.objects.exists()


def test_intake_needs_its_scope(make_client, park_project, rep):
    reader = make_client(Scope.READ_CASES)
    response = reader.post("/api/v1/requests", body(park_project))
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    assert not ServiceRequest.objects.exists()


def test_another_countys_client_cannot_file_for_our_enterprise(make_client, dazu, park_project, rep):
    theirs = make_client(Scope.CREATE_REQUESTS, jurisdiction=dazu)
    response = theirs.post("/api/v1/requests", body(park_project))
    assert response.status_code == 422
    assert not ServiceRequest.objects.exists()
