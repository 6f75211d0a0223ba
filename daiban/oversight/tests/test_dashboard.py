import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from daiban.cases.models import ServiceRequest
from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.chains import file_it
from daiban.cases.tests.conftest import data
from daiban.catalogue.models import ApprovalItem
from daiban.feedback.services import evaluate
from daiban.organizations.models import Role
from daiban.oversight.models import DashboardSnapshot
from daiban.oversight.services import refresh_city_snapshot
from daiban.oversight.tasks import city_dashboard_figures
from daiban.projects.tests.factories import ProjectFactory

D = dt.date


def file_land_permit(project, rep, staff, on):
    permit = ApprovalItem.objects.get(jurisdiction=project.jurisdiction, code="land-use-planning-permit")
    request = submit_request(project=project, data=data([permit]), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    item = assign_agent(item=request.items.get(), agent=staff["park_agent"], by=staff["park_coord"])
    return file_it(item, staff["park_agent"], filed_on=on)


@pytest.fixture
def landscape(completed, park_project, town_project, rep, staff, items, clock):
    """One completed park request (rated), one park request with a land-use permit filed 11-05 (5 working
    days: due 11-12), one township request just submitted. Seen on Monday 11-16."""
    evaluate(
        request=completed,
        agent=staff["park_agent"],
        by=rep,
        attitude=5,
        efficiency=2,
        integrity=5,
        comment="报送环节慢了很多",
    )
    file_land_permit(park_project, rep, staff, D(2026, 11, 5))
    submit_request(project=town_project, data=data(items[:1]), by=rep, channel="online")
    clock(2026, 11, 16)


def context(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("oversight:dashboard"), params)
    assert response.status_code == 200
    return response.context


@pytest.mark.django_db
def test_supervisor_dashboard_figures(client, landscape, staff):
    ctx = context(client, staff["supervisor"])
    charts = ctx["charts"]
    by_state = dict(zip(ServiceRequest.State.values, charts["requests"]["values"], strict=True))
    assert (by_state["submitted"], by_state["dispatched"], by_state["completed"]) == (1, 1, 1)
    assert charts["requests"]["urls"][0].endswith("?state=submitted")
    assert ctx["request_total"] == 3
    assert (ctx["totals"]["overdue"], ctx["totals"]["due_soon"]) == (1, 0)
    assert charts["units"]["overdue"] == [1] and "unit=" in charts["units"]["urls"][0]
    assert charts["localities"]["overdue"] == [1]
    assert ctx["marks"]["n"] == 1 and ctx["marks"]["bad"] == 1
    assert sum(charts["workload"]["values"]) == 1  # the land-use permit is the only open item with an agent
    assert charts["trend"]["values"] == [3]
    # A period before everything shows nothing.
    assert context(client, staff["supervisor"], to="2026-10-31")["request_total"] == 0


@pytest.mark.django_db
def test_drill_down_lists_the_items_behind_a_number(client, landscape, staff):
    client.force_login(staff["supervisor"])
    page = client.get(reverse("oversight:dashboard_items"), {"level": "overdue"}).content.decode()
    assert "建设用地规划许可" in page or "用地规划许可" in page
    assert "逾期" in page or "超期" in page


@pytest.mark.django_db
def test_dashboard_scope_by_role_and_owner(client, landscape, staff, dz_supervisor, rep):
    assert context(client, dz_supervisor)["request_total"] == 0
    assert context(client, staff["park_coord"])["request_total"] == 2  # the park's requests
    assert context(client, staff["town_coord"])["request_total"] == 1  # the township's request
    assert context(client, staff["other_town_coord"])["request_total"] == 0
    for wrong_role in (staff["park_agent"], staff["clerk"], rep):
        client.force_login(wrong_role)
        assert client.get(reverse("oversight:dashboard")).status_code == 403
        assert client.get(reverse("oversight:dashboard_items")).status_code == 403
    # Asking for another jurisdiction by code does not widen the scope.
    client.force_login(dz_supervisor)
    assert client.get(reverse("oversight:dashboard"), {"j": "500242"}).context["request_total"] == 0


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_data(client, landscape, park_project, rep, staff, clock):
    client.force_login(staff["supervisor"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("oversight:dashboard"))
    clock(2026, 11, 9)
    for _ in range(3):
        more = ProjectFactory.create(applicant=park_project.applicant, location=park_project.location)
        file_land_permit(more, rep, staff, D(2026, 11, 9))
    clock(2026, 11, 16)
    assert ServiceRequest.objects.count() == 6
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("oversight:dashboard"))
    assert len(many) == len(few)


@pytest.fixture
def city_supervisor(city, dazu, make_staff):
    return make_staff(Role.SUPERVISOR, city)


def city_view(client, user):
    ctx = context(client, user)
    return ctx, {k: ctx[k] for k in ("charts", "totals", "request_total", "districts")}


@pytest.mark.django_db
def test_city_view_reads_the_jobs_snapshot_while_it_is_fresh(client, landscape, city_supervisor, clock):
    live, live_figures = city_view(client, city_supervisor)
    assert live["scope"].everything and live["as_of"] is None
    assert live_figures["request_total"] == 3
    assert [d["jurisdiction__code"] for d in live_figures["districts"]] == ["500242"]

    city_dashboard_figures.call_local()  # the job, as the worker runs it
    snap = DashboardSnapshot.objects.get(key=DashboardSnapshot.CITY)
    assert snap.computed_on == D(2026, 11, 16)
    stored, stored_figures = city_view(client, city_supervisor)
    assert stored["as_of"] == snap.computed_at
    assert stored_figures == live_figures  # the same figures, through JSON and back
    assert "全市数据截至" in client.get(reverse("oversight:dashboard")).content.decode()

    # New work after the run does not show until the next one...
    ServiceRequest.objects.filter(state="submitted").update(state="declined")
    assert city_view(client, city_supervisor)[1] == stored_figures
    # ...unless the snapshot is older than the limit, or from another day: then the page counts live.
    clock(2026, 11, 16, 11)
    aged, aged_figures = city_view(client, city_supervisor)
    assert aged["as_of"] is None and aged_figures["charts"] != stored_figures["charts"]
    DashboardSnapshot.objects.update(computed_at=timezone.now())
    assert city_view(client, city_supervisor)[0]["as_of"] is not None
    DashboardSnapshot.objects.update(computed_on=D(2026, 11, 15))
    assert city_view(client, city_supervisor)[0]["as_of"] is None
    # A snapshot written by an earlier release, in another shape, is not read either.
    DashboardSnapshot.objects.update(computed_on=D(2026, 11, 16), figures={"schema": 0, "requests": [1, 2]})
    assert city_view(client, city_supervisor)[0]["as_of"] is None


@pytest.mark.django_db
def test_only_the_whole_city_is_served_from_the_snapshot(
    client, landscape, city_supervisor, staff, dz_supervisor
):
    refresh_city_snapshot(now=timezone.now())
    # A district supervisor, a coordinator, or the city supervisor narrowing the view: counted for them.
    assert context(client, dz_supervisor)["as_of"] is None
    assert context(client, dz_supervisor)["request_total"] == 0
    assert context(client, staff["park_coord"])["as_of"] is None
    assert context(client, city_supervisor, j="500242")["as_of"] is None
    assert context(client, city_supervisor, to="2026-10-31")["request_total"] == 0


@pytest.mark.django_db
def test_city_view_from_the_snapshot_runs_a_few_queries(client, landscape, city_supervisor):
    refresh_city_snapshot(now=timezone.now())
    client.force_login(city_supervisor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("oversight:dashboard")).context["as_of"] is not None
    assert len(queries) <= 10, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_period_is_in_local_days(client, park_project, rep, items, staff, clock):
    """A request submitted at 23:00 Beijing time (15:00 UTC) belongs to that day, not the next."""
    clock(2026, 11, 2, 23)
    submit_request(project=park_project, data=data(items[:1]), by=rep, channel="online")
    clock(2026, 11, 16)
    supervisor = staff["supervisor"]
    assert context(client, supervisor, **{"from": "2026-11-02", "to": "2026-11-02"})["request_total"] == 1
    assert context(client, supervisor, to="2026-11-01")["request_total"] == 0
    assert context(client, supervisor, **{"from": "2026-11-03"})["request_total"] == 0


@pytest.mark.django_db
def test_operators_see_when_the_city_was_last_counted(
    client, landscape, django_user_model, make_staff, youyang
):
    refresh_city_snapshot(now=timezone.now())
    url = reverse("admin:oversight_dashboardsnapshot_changelist")
    operator = django_user_model.objects.create_user(
        "ops", password="pw-12345678", is_staff=True, is_superuser=True
    )
    client.force_login(operator)
    page = client.get(url)
    assert page.status_code == 200 and "city" in page.content.decode()
    detail = client.get(
        reverse("admin:oversight_dashboardsnapshot_change", args=[DashboardSnapshot.objects.get().pk])
    )
    assert "requests_by_state" not in detail.content.decode()  # the figures are not shown there
    # A jurisdiction's administrator (staff, not the platform's superuser) does not see it.
    county_admin = make_staff(Role.ADMINISTRATOR, youyang)
    county_admin.is_staff = True
    county_admin.save()
    client.force_login(county_admin)
    assert client.get(url).status_code == 403
