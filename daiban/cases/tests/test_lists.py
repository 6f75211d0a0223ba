"""The request and item lists: search, filters, queues, sorting, export, bad parameters, and the scope that
no filter or search can widen."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from daiban.cases.models import CaseItem, ItemMaterial, ServiceRequest
from daiban.cases.queues import queue_counts
from daiban.cases.services import submit_request
from daiban.cases.tests.chains import file_it
from daiban.cases.tests.conftest import data
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role, Unit
from daiban.organizations.selectors import forget_roles
from daiban.organizations.services import grant_role
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory

D = dt.date


@pytest.fixture
def reviewer(youyang, make_staff):
    """Reviews for 住建委审批科 (construction permit) and 发改委投资科 (project filing)."""
    user = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    fgw = Unit.objects.get(jurisdiction=youyang, code="fgw")
    grant_role(
        user=user,
        role=Role.SECTION_REVIEWER,
        jurisdiction=youyang,
        unit=fgw,
        section=fgw.sections.get(code="tzk"),
        by=None,
    )
    forget_roles(user)
    return user


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _sheet(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _refs(response):
    return [r.reference for r in response.context["page"].object_list]


def _project_of(rep, where):
    """A new project of a new enterprise that `rep` speaks for, located where `where` is."""
    project = ProjectFactory.create(applicant__jurisdiction=where.jurisdiction, location=where.location)
    ApplicantRepresentative.objects.create(applicant=project.applicant, user=rep)
    return project


@pytest.fixture
def waiting(park_project, town_project, rep, items, dispatched):
    """Besides the dispatched park request: one waiting in the park, one in the township."""
    permit = [i for i in items if i.code == "construction-permit"]
    park = submit_request(project=_project_of(rep, park_project), data=data(permit), by=rep, channel="online")
    town = submit_request(project=town_project, data=data(permit), by=rep, channel="online")
    return park, town


def test_search_by_project_credit_code_number_item_and_agent(staff, dispatched, waiting):
    client = _client(staff["supervisor"])
    url = reverse("cases:request_list")
    park, town = waiting
    assert _refs(client.get(url, {"q": town.project.name})) == [town.reference]
    assert set(_refs(client.get(url, {"q": dispatched.applicant.uscc}))) >= {dispatched.reference}
    assert _refs(client.get(url, {"q": park.reference})) == [park.reference]
    assert _refs(client.get(url, {"q": f"{park.year}-{park.number}"})) == [park.reference]
    by_agent = _refs(client.get(url, {"q": staff["park_agent2"].full_name}))
    assert by_agent == [dispatched.reference]
    by_item = client.get(url, {"q": "施工许可"})
    assert set(_refs(by_item)) == {dispatched.reference, park.reference, town.reference}
    assert _refs(client.get(url, {"q": "没有这样的项目"})) == []


def test_filters_and_sort(staff, dispatched, waiting):
    client = _client(staff["supervisor"])
    url = reverse("cases:request_list")
    park, town = waiting
    assert set(_refs(client.get(url, {"state": "submitted"}))) == {park.reference, town.reference}
    assert _refs(client.get(url, {"township": town.locality_id})) == [town.reference]
    assert _refs(client.get(url, {"sort": "old"}))[0] == dispatched.reference
    assert _refs(client.get(url, {"sort": "new"}))[-1] == dispatched.reference
    assert _refs(client.get(url, {"from": "2026-11-03"})) == []
    assert len(_refs(client.get(url, {"from": "2026-11-02", "to": "2026-11-02"}))) == 3


def test_coordinator_queues_count_what_the_list_shows(staff, dispatched, waiting):
    park, _town = waiting
    coordinator = staff["park_coord"]
    counts = queue_counts(coordinator, D(2026, 11, 2))
    assert counts["to_accept"] == 1  # the park's; the township's is another coordinator's
    client = _client(coordinator)
    assert _refs(client.get(reverse("cases:request_list"), {"queue": "to_accept"})) == [park.reference]
    assert counts["to_dispatch"] == 0  # every item of the dispatched request has its agent
    assert queue_counts(staff["town_coord"], D(2026, 11, 2))["to_accept"] == 1


def test_agent_queues(staff, dispatched, clock):
    agent = staff["park_agent"]
    item = dispatched.items.get(agent=agent)
    line = item.checklist.first()
    assert line is not None
    assert queue_counts(agent, D(2026, 11, 2))["promised"] == 0
    ItemMaterial.objects.filter(pk=line.pk).update(
        status=ItemMaterial.Status.PROMISED, promised_on=D(2026, 11, 20)
    )
    counts = queue_counts(agent, D(2026, 11, 2))
    assert counts["promised"] == 1
    assert queue_counts(staff["park_agent2"], D(2026, 11, 2))["promised"] == 0
    ItemMaterial.objects.filter(pk=line.pk).update(status=ItemMaterial.Status.PENDING)
    file_it(item, agent, filed_on=D(2026, 11, 2))
    item.refresh_from_db()
    assert item.due_on is not None
    assert queue_counts(agent, item.due_on)["due_soon"] == 1
    assert queue_counts(staff["park_agent2"], item.due_on)["due_soon"] == 0
    late = item.due_on + dt.timedelta(days=1)
    assert queue_counts(agent, late)["my_overdue"] == 1
    clock(late.year, late.month, late.day)
    listed = _client(agent).get(reverse("cases:item_list"), {"queue": "my_overdue"})
    assert [i.pk for i, _clock in listed.context["rows"]] == [item.pk]


def test_reviewer_queues(staff, dispatched, reviewer):
    item = dispatched.items.get(agent=staff["park_agent"])
    assert queue_counts(reviewer, D(2026, 11, 2))["to_review"] == 0
    file_it(item, staff["park_agent"], filed_on=D(2026, 11, 2))
    assert queue_counts(reviewer, D(2026, 11, 2))["to_review"] == 1
    response = _client(reviewer).get(reverse("cases:item_list"), {"queue": "to_review"})
    assert [i.pk for i, _clock in response.context["rows"]] == [item.pk]


def test_queues_the_person_lacks_are_not_choices(staff, dispatched):
    response = _client(staff["park_agent"]).get(reverse("cases:request_list"), {"queue": "to_accept"})
    assert response.status_code == 400
    assert "不是" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"state": "nonsense"},
        {"sort": "password"},
        {"from": "2026-13-01"},
        {"from": "2026-11-05", "to": "2026-11-01"},
        {"q": "长" * 101},
        {"township": "999999"},
        {"export": "csv"},
        {"overdue": "maybe"},
    ],
)
@pytest.mark.parametrize("name", ["cases:request_list", "cases:item_list"])
def test_bad_parameters_are_refused_in_chinese(staff, dispatched, params, name):
    response = _client(staff["supervisor"]).get(reverse(name), params)
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())


def test_filtering_never_widens_the_scope(staff, dispatched, waiting, rep, items):
    """Another enterprise's request in the same county and locality: no search, filter or sort shows it
    to the representative, in the list, the item list or the export."""
    other = ProjectFactory.create(
        applicant__jurisdiction=dispatched.jurisdiction, location=dispatched.locality
    )
    stranger = staff["clerk"]
    ApplicantRepresentative.objects.create(applicant=other.applicant, user=stranger)
    theirs = submit_request(
        project=other,
        data=data([i for i in items if i.code == "construction-permit"]),
        by=stranger,
        channel="online",
    )
    client = _client(rep)
    visible = set(
        ServiceRequest.objects.filter(applicant__representatives__user=rep).values_list("pk", flat=True)
    )
    assert len(visible) == 3
    for params in (
        {},
        {"q": other.name},
        {"q": theirs.reference},
        {"state": "submitted"},
        {"township": theirs.locality_id},
        {"sort": "old"},
        {"overdue": "no"},
    ):
        response = client.get(reverse("cases:request_list"), params)
        assert response.status_code == 200, params
        shown = {r.pk for r in response.context["page"].object_list}
        assert shown <= visible, params
        assert theirs.pk not in shown
    items_shown = {
        i.pk for i, _c in client.get(reverse("cases:item_list"), {"q": other.name}).context["rows"]
    }
    assert items_shown == set()
    export = client.get(reverse("cases:request_list"), {"export": "xlsx", "q": other.name})
    rows = list(_sheet(export).iter_rows(values_only=True))
    assert len(rows) == 1  # the header only


def test_export_is_what_is_filtered_formula_safe_with_a_frozen_header(staff, dispatched, waiting):
    park, town = waiting
    town.project.name = '=HYPERLINK("http://evil")'
    town.project.save()
    client = _client(staff["supervisor"])
    response = client.get(
        reverse("cases:request_list"), {"export": "xlsx", "state": "submitted", "sort": "old"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _sheet(response)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 36
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "受理编号" or rows[0][0]  # a header row
    assert [r[0] for r in rows[1:]] == [park.reference, town.reference]
    cell = sheet.cell(row=3, column=2)
    assert cell.value == town.project.name and cell.data_type == "s" and cell.quotePrefix
    assert AuditEntry.objects.filter(verb=AuditVerb.DATA_EXPORTED, actor=staff["supervisor"]).exists()
    items = client.get(reverse("cases:item_list"), {"export": "xlsx", "state": "planned"})
    item_rows = list(_sheet(items).iter_rows(values_only=True))
    assert len(item_rows) == 1 + CaseItem.objects.filter(state="planned").count()


def test_pager_keeps_the_filters(staff, park_project, rep, items, dispatched):
    permit = [i for i in items if i.code == "construction-permit"]
    for _ in range(26):
        submit_request(project=_project_of(rep, park_project), data=data(permit), by=rep, channel="online")
    response = _client(staff["supervisor"]).get(reverse("cases:request_list"), {"state": "submitted"})
    page = response.content.decode()
    assert "state=submitted&amp;page=2" in page
    assert response.context["page"].paginator.count == 26


def test_home_shows_the_queues_as_links(staff, dispatched, waiting, reviewer):
    page = _client(staff["park_coord"]).get(reverse("home")).content.decode()
    assert 'data-queue="to_accept"' in page
    assert f"{reverse('cases:request_list')}?queue=to_accept" in page
    reviewer_page = _client(reviewer).get(reverse("home")).content.decode()
    assert 'data-queue="to_review"' in reviewer_page
    assert 'data-queue="to_accept"' not in reviewer_page
    supervisor_page = _client(staff["supervisor"]).get(reverse("home")).content.decode()
    for key in ("overdue", "to_verify", "ledgers"):
        assert f'data-queue="{key}"' in supervisor_page
    assert Role.SUPERVISOR


def test_worklist_is_searched_and_exported(staff, dispatched):
    client = _client(staff["park_agent"])
    mine = dispatched.items.get(agent=staff["park_agent"])
    response = client.get(reverse("cases:worklist"), {"q": mine.approval_item.name})
    assert [i.pk for i, _c in response.context["rows"]] == [mine.pk]
    assert client.get(reverse("cases:worklist"), {"q": "没有这样的事项"}).context["rows"] == []
    assert client.get(reverse("cases:worklist"), {"sort": "bogus"}).status_code == 400
    sheet = _sheet(client.get(reverse("cases:worklist"), {"export": "xlsx"}))
    assert [r[3] for r in list(sheet.iter_rows(values_only=True))[1:]] == [mine.approval_item.name]
