"""The construction period between 施工许可 and 竣工验收: a default per construction type (data with a
source or marked to be confirmed), editable by the request's agent, on the page and in the PDF chart."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from daiban.cases.models import ServiceRequest
from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.conftest import data
from daiban.catalogue.models import ApprovalItem
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.common.workflow import NotYourStep
from daiban.planning.construction import default_period, defaults, parse_defaults
from daiban.planning.models import ConstructionPeriod
from daiban.planning.printing import chart_bars
from daiban.planning.selectors import plan_for_request
from daiban.planning.services import set_construction_period
from daiban.projects.models import Project
from daiban.workdays.services import seed_calendar_from_library

D = dt.date
CODES = ["project-filing", "construction-permit", "completion-filing"]


@pytest.fixture
def built(park_project, rep, staff, youyang):
    """A park request from the filing through the permit to 竣工验收备案, accepted and given to one agent."""
    seed_calendar_from_library()
    chosen = list(ApprovalItem.objects.filter(jurisdiction=youyang, code__in=CODES).order_by("position"))
    request = submit_request(project=park_project, data=data(chosen), by=rep, channel="online")
    ServiceRequest.objects.filter(pk=request.pk).update(
        submitted_at=dt.datetime(2026, 9, 14, 2, tzinfo=dt.UTC)
    )
    request.refresh_from_db()
    accept_request(request=request, by=staff["park_coord"])
    for item in request.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    request.refresh_from_db()
    return request


def test_every_construction_type_has_a_default_with_a_source_or_marked_to_be_confirmed():
    table = defaults()
    assert set(table) == set(Project.Kind.values)
    for period in table.values():
        assert 1 <= period.days <= 3650 and (bool(period.source) != period.to_confirm)


@pytest.mark.parametrize(
    "text",
    [
        "[kinds.new]\ndays = 365\nto_confirm = true\n",  # types missing
        '[kinds.new]\ndays = 0\nto_confirm = true\n[kinds.expansion]\ndays = 1\nsource = "x"\n'
        "[kinds.renovation]\ndays = 1\nto_confirm = true\n",  # zero days
        "[kinds.new]\ndays = 365\n[kinds.expansion]\ndays = 1\nto_confirm = true\n"
        "[kinds.renovation]\ndays = 1\nto_confirm = true\n",  # neither source nor to_confirm
        "[kinds.new\n",  # not TOML
    ],
)
def test_a_bad_defaults_table_is_refused_at_load(text):
    with pytest.raises(ImproperlyConfigured):
        parse_defaults(text)


@pytest.mark.django_db
def test_completion_acceptance_waits_for_the_default_construction_period(built):
    plan = plan_for_request(built)
    rows = {r.key: r for r in plan.rows}
    default = default_period(built.project.kind)
    assert plan.construction is not None and plan.construction.days == default.days
    assert not plan.construction.edited
    permit_on = rows["construction-permit"].finish
    # Filed on the first working day once the period after the permit is over — not days after the permit.
    assert rows["completion-filing"].start >= permit_on + dt.timedelta(days=default.days)
    assert rows["completion-filing"].start <= permit_on + dt.timedelta(days=default.days + 10)


@pytest.mark.django_db
def test_no_construction_period_without_a_completion_item(submitted):
    seed_calendar_from_library()
    assert plan_for_request(submitted).construction is None


@pytest.mark.django_db
def test_the_agent_sets_and_resets_the_period_and_it_is_audited(client, built, staff):
    agent = staff["park_agent"]
    client.force_login(agent)
    url = reverse("planning:construction_period", args=[built.pk])
    assert client.post(url, {"days": "200"}).status_code == 302
    plan = plan_for_request(built)
    assert plan.construction is not None and plan.construction.days == 200 and plan.construction.edited
    rows = {r.key: r for r in plan.rows}
    assert rows["completion-filing"].start >= rows["construction-permit"].finish + dt.timedelta(days=200)
    page = client.get(reverse("planning:request_plan", args=[built.pk])).content.decode()
    assert "施工期" in page and "200" in page
    entry = AuditEntry.objects.filter(verb=AuditVerb.PLAN_CONSTRUCTION_PERIOD_CHANGED).latest("pk")
    assert (entry.after or {}).get("days") == 200
    client.post(url, {"days": ""})  # empty: back to the default
    assert not ConstructionPeriod.objects.filter(request=built).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "-5", "3651", "abc", "99999999999999999999"])
def test_bad_periods_are_refused_with_a_chinese_message_and_nothing_saved(client, built, staff, days):
    client.force_login(staff["park_agent"])
    response = client.post(
        reverse("planning:construction_period", args=[built.pk]), {"days": days}, follow=True
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)
    assert not ConstructionPeriod.objects.filter(request=built).exists()


@pytest.mark.django_db
def test_only_the_requests_agent_sets_it(built, staff, rep):
    with pytest.raises(NotYourStep):
        set_construction_period(request=built, days=100, by=staff["park_agent2"])
    with pytest.raises(NotYourStep):
        set_construction_period(request=built, days=100, by=rep)
    with pytest.raises(ValidationError):
        set_construction_period(request=built, days=0, by=staff["park_agent"])
    assert not ConstructionPeriod.objects.filter(request=built).exists()


@pytest.mark.django_db
def test_the_plan_pdf_draws_the_chart(client, built, rep):
    plan = plan_for_request(built)
    bars = chart_bars(plan)
    assert [b[0] for b in bars][-1] == "施工期" and len(bars) == len(plan.rows) + 1
    client.force_login(rep)
    response = client.get(reverse("planning:request_plan_pdf", args=[built.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "2026年9月" in text and "施工期" in text  # the month axis and the construction bar's label
