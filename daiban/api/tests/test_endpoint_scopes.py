"""Every API endpoint × every kind of caller: the API's own URL × role table.

The API's routes live in the URL namespace "api", governed by daiban.api.auth (see GOVERNED_NAMESPACES in
daiban.common.access), so tests/test_url_role_matrix.py leaves them to this table. Callers: anonymous; a
signed client of 酉阳 with every scope, with none, and with only the catalogue; a signed client of 大足
(wrong jurisdiction); the request's enterprise representative, another enterprise's representative, the
item's agent and a coordinator of another township (sessions). Nobody ever sees another's data: a missing
scope is 403, someone else's object 404, someone else's list empty."""

import pytest
from django.core.cache import cache
from django.test import Client

from daiban.api.models import Scope
from daiban.feedback.models import Evaluation
from daiban.organizations.models import Role
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory

ALL = [s.value for s in Scope]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def callers(make_client, dazu, dispatched, staff, rep, youyang, make_staff):
    stranger = UserFactory.create()
    other = ProjectFactory.create(applicant__jurisdiction=youyang)
    ApplicantRepresentative.objects.create(applicant=other.applicant, user=stranger)

    def session(user):
        http = Client()
        http.force_login(user)
        return http

    return {
        "anonymous": Client(),
        "client_all": make_client(*ALL),
        "client_none": make_client(),
        "client_catalogue": make_client(Scope.READ_CATALOGUE),
        "client_dazu": make_client(*ALL, jurisdiction=dazu),
        "representative": session(rep),
        "other_representative": session(stranger),
        "agent": session(staff["park_agent2"]),
        "other_coordinator": session(staff["other_town_coord"]),
        "dazu_supervisor": session(make_staff(Role.SUPERVISOR, dazu, "jzxk-office")),
    }


def _paths(request, item):
    return {
        "jurisdictions": "/api/v1/jurisdictions",
        "catalogue": "/api/v1/jurisdictions/500242/catalogue",
        "requests": "/api/v1/requests",
        "request": f"/api/v1/requests/{request.pk}",
        "timeline": f"/api/v1/requests/{request.pk}/timeline",
        "documents": f"/api/v1/requests/{request.pk}/documents",
        "items": "/api/v1/items",
        "item": f"/api/v1/items/{item.pk}",
    }


SEES = {"client_all", "representative", "agent"}
# 200 = sees it (lists hold our request); "empty" = 200 with nothing of ours; 401/403/404 refusals.
GET_TABLE: dict[str, dict[str, object]] = {
    "jurisdictions": dict.fromkeys(
        ["anonymous", "client_all", "client_none", "client_catalogue", "client_dazu", "representative"], 200
    ),
    "catalogue": dict.fromkeys(
        ["anonymous", "client_all", "client_none", "client_dazu", "other_representative"], 200
    ),
    **{
        name: {
            "anonymous": 401,
            "client_none": 403,
            "client_catalogue": 403,
            "client_dazu": "empty" if name in ("requests", "items") else 404,
            "other_representative": "empty" if name in ("requests", "items") else 404,
            "other_coordinator": "empty" if name in ("requests", "items") else 404,
            "dazu_supervisor": "empty" if name in ("requests", "items") else 404,
            **dict.fromkeys(SEES, 200),
        }
        for name in ("requests", "request", "timeline", "documents", "items", "item")
    },
}
CASES = [(endpoint, who, expected) for endpoint, row in GET_TABLE.items() for who, expected in row.items()]


def _get(caller, path):
    return caller.get(path)


@pytest.mark.parametrize(("endpoint", "who", "expected"), CASES)
def test_get_endpoint_as_caller(callers, dispatched, endpoint, who, expected):
    item = dispatched.items.get(approval_item__code="construction-permit")
    path = _paths(dispatched, item)[endpoint]
    response = _get(callers[who], path)
    body = response.json()
    if expected == "empty":
        assert response.status_code == 200
        assert body["items"] == [], f"{who} saw someone else's rows at {path}"
        return
    assert response.status_code == expected, (who, path, body)
    if expected != 200:
        assert response["Content-Type"] == "application/problem+json" and body["code"] and body["detail"]
        return
    if endpoint == "requests":
        assert [r["id"] for r in body["items"]] == [dispatched.pk]
    if endpoint == "items" and who == "agent":
        assert item.pk in [i["id"] for i in body["items"]]
    if endpoint == "item":
        assert body["id"] == item.pk and body["standing"]


EVENT_TABLE = {
    "anonymous": 401,
    "client_all": 409,  # allowed in: the item is not ready to file, so the event is kept as a conflict
    "client_none": 403,
    "client_catalogue": 403,
    "client_dazu": 404,
    "representative": 403,
    "agent": 403,
    "other_coordinator": 403,
}


@pytest.mark.parametrize(("who", "expected"), EVENT_TABLE.items())
def test_post_item_event_as_caller(callers, dispatched, who, expected):
    item = dispatched.items.get(approval_item__code="construction-permit")
    body = {"event_id": f"ev-{who}", "kind": "filed", "occurred_at": "2026-11-02T09:00:00+08:00"}
    caller = callers[who]
    path = f"/api/v1/items/{item.pk}/events"
    if isinstance(caller, Client):
        response = caller.post(path, body, content_type="application/json")
    else:
        response = caller.post(path, body)
    assert response.status_code == expected, (who, response.content)
    item.refresh_from_db()
    assert item.state == "planned"


@pytest.mark.parametrize(
    ("who", "sees_ours"),
    [
        ("client_all", True),
        ("representative", True),
        ("client_dazu", False),
        ("other_representative", False),
        ("dazu_supervisor", False),
    ],
)
def test_projects_list_as_caller(callers, park_project, who, sees_ours):
    response = callers[who].get("/api/v1/projects")
    assert response.status_code == 200
    assert (park_project.pk in [p["id"] for p in response.json()["items"]]) is sees_ours


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/evaluations", "/api/v1/issues"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("client_none", 403),
        ("client_catalogue", 403),
        ("client_all", 200),
        ("agent", 200),
    ],
)
def test_other_lists_need_the_read_scope(callers, path, who, expected):
    response = callers[who].get(path)
    assert response.status_code == expected


def test_a_bad_ratings_comment_is_withheld_from_the_rated_agent(callers, dispatched, staff, rep):
    Evaluation.objects.create(
        request=dispatched,
        jurisdiction=dispatched.jurisdiction,
        agent=staff["park_agent2"],
        attitude=1,
        efficiency=1,
        integrity=1,
        is_bad=True,
        comment="态度很差",
        given_by=rep,
    )
    (as_agent,) = callers["agent"].get("/api/v1/evaluations").json()["items"]
    assert as_agent["comment"] is None and as_agent["request_id"] is None
    (as_rep,) = callers["representative"].get("/api/v1/evaluations").json()["items"]
    assert as_rep["comment"] == "态度很差" and as_rep["request_id"] == dispatched.pk
    assert callers["client_dazu"].get("/api/v1/evaluations").json()["items"] == []
