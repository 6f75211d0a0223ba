"""A project still to be filed or approved (备案/核准) has no project code yet: its request starts with that
item, and approving it records the code the platform issued (issue #16)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.cases import services as steps
from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.chains import file_it
from daiban.cases.tests.conftest import data
from daiban.cases.tests.test_window import window_form
from daiban.catalogue.models import ApprovalItem
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role
from daiban.projects.models import ApplicantRepresentative, Project
from daiban.projects.services import ProjectData, update_project
from daiban.projects.tests.factories import ProjectFactory
from daiban.workdays.services import seed_calendar_from_library

CODE = "2026-500242-47-03-004711"


@pytest.fixture
def codeless(youyang, rep):
    project = ProjectFactory.create(
        applicant__jurisdiction=youyang, location=youyang.units.get(code="gyyq"), project_code=""
    )
    ApplicantRepresentative.objects.create(applicant=project.applicant, user=rep)
    return project


@pytest.fixture
def filing_reviewer(youyang, make_staff):
    return make_staff(Role.SECTION_REVIEWER, youyang, "fgw", section_code="tzk")


def catalogue(youyang, *codes):
    return list(ApprovalItem.objects.filter(jurisdiction=youyang, code__in=codes).order_by("position"))


@pytest.fixture
def filed_filing(clock, codeless, rep, staff, youyang):
    """The codeless project's request for its filing and the construction permit, the filing filed."""
    seed_calendar_from_library()
    chosen = catalogue(youyang, "project-filing", "construction-permit")
    request = submit_request(project=codeless, data=data(chosen), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    filing = request.items.get(approval_item__code="project-filing")
    assign_agent(item=filing, agent=staff["park_agent"], by=staff["park_coord"])
    filing.refresh_from_db()
    return file_it(filing, staff["park_agent"], filed_on=dt.date(2026, 11, 2))


@pytest.mark.django_db
def test_a_codeless_request_must_start_with_the_filing_or_approval(codeless, rep, youyang, staff):
    with pytest.raises(ValidationError) as refused:
        submit_request(
            project=codeless, data=data(catalogue(youyang, "construction-permit")), by=rep, channel="online"
        )
    assert "备案/核准" in str(refused.value.message_dict["approval_items"])
    assert not codeless.requests.exists()
    for first in ("project-filing", "project-approval"):
        request = submit_request(
            project=codeless, data=data(catalogue(youyang, first)), by=rep, channel="online"
        )
        assert request.items.get().approval_item.code == first
        steps.withdraw_request(request=request, by=rep)


@pytest.mark.django_db
def test_several_projects_may_wait_for_their_code(codeless, youyang):
    other = ProjectFactory.create(applicant__jurisdiction=youyang, project_code="")
    assert {codeless.project_code, other.project_code} == {""}


@pytest.mark.django_db
def test_approving_the_filing_records_the_code_the_platform_issued(filed_filing, filing_reviewer, codeless):
    item = filed_filing
    with pytest.raises(ValidationError) as missing:
        steps.approve(
            item=item, decided_on=dt.date(2026, 11, 2), by=filing_reviewer, expected_version=item.version
        )
    assert "project_code" in missing.value.message_dict
    with pytest.raises(ValidationError) as malformed:
        steps.approve(
            item=item,
            decided_on=dt.date(2026, 11, 2),
            project_code="2026-12",
            by=filing_reviewer,
            expected_version=item.version,
        )
    assert "project_code" in malformed.value.message_dict
    item.refresh_from_db()
    assert (
        item.state == "filed" and Project.objects.get(pk=codeless.pk).project_code == ""
    )  # nothing half-saved

    approved = steps.approve(
        item=item,
        decided_on=dt.date(2026, 11, 2),
        project_code=f" {CODE} ",
        by=filing_reviewer,
        expected_version=item.version,
    )
    assert approved.state == "approved"
    assert Project.objects.get(pk=codeless.pk).project_code == CODE
    entry = AuditEntry.objects.filter(verb="project.updated", target_id=str(codeless.pk)).latest("id")
    assert entry.after == {"project_code": CODE} and entry.actor_id == filing_reviewer.pk


@pytest.mark.django_db
def test_a_code_already_taken_here_is_refused(filed_filing, filing_reviewer, youyang):
    ProjectFactory.create(applicant__jurisdiction=youyang, project_code=CODE)
    item = filed_filing
    with pytest.raises(ValidationError) as taken:
        steps.approve(
            item=item,
            decided_on=dt.date(2026, 11, 2),
            project_code=CODE,
            by=filing_reviewer,
            expected_version=item.version,
        )
    assert "project_code" in taken.value.message_dict
    item.refresh_from_db()
    assert item.state == "filed"


@pytest.mark.django_db
def test_only_the_filing_of_a_codeless_project_takes_a_code(client, submitted, staff, youyang, make_staff):
    """A project with a code: approving its items takes no code (a typed one is refused)."""
    seed_calendar_from_library()
    accept_request(request=submitted, by=staff["park_coord"])
    item = submitted.items.get(approval_item__code="construction-permit")
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    item.refresh_from_db()
    item = file_it(item, staff["park_agent"], filed_on=dt.date.today())
    reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")
    client.force_login(reviewer)
    page = client.get(reverse("cases:item_detail", args=[item.request_id, item.pk])).content.decode()
    assert 'value="approve"' in page and 'name="project_code"' not in page  # not asked where not recorded
    with pytest.raises(ValidationError):
        steps.approve(
            item=item,
            decided_on=dt.date.today(),
            project_code=CODE,
            by=reviewer,
            expected_version=item.version,
        )
    assert steps.approve(item=item, decided_on=dt.date.today(), by=reviewer, expected_version=item.version)


@pytest.mark.django_db
def test_a_given_code_cannot_be_removed(park_project, rep):
    keep = park_project.project_code
    fields = {
        f: getattr(park_project, f)
        for f in ("name", "kind", "location", "address", "investment_amount", "land_area", "floor_area")
    }
    with pytest.raises(ValidationError):
        update_project(project=park_project, data=ProjectData(project_code="", **fields), by=rep)
    assert Project.objects.get(pk=park_project.pk).project_code == keep


@pytest.mark.django_db
def test_the_reviewer_enters_the_code_on_the_item_page(client, filed_filing, filing_reviewer, codeless):
    item = filed_filing
    client.force_login(filing_reviewer)
    page = client.get(reverse("cases:item_detail", args=[item.request_id, item.pk])).content.decode()
    assert 'name="project_code"' in page
    url = reverse("cases:item_step", args=[item.request_id, item.pk, "approve"])
    client.post(
        url,
        {
            "version": item.version,
            "decided_on": "2026-11-02",
            "project_code": "",
            "result_number": "渝发改备〔2026〕12号",
        },
    )
    item.refresh_from_db()
    assert item.state == "filed"
    client.post(
        url,
        {
            "version": item.version,
            "decided_on": "2026-11-02",
            "project_code": CODE,
            "result_number": "渝发改备〔2026〕12号",
        },
    )
    item.refresh_from_db()
    assert item.state == "approved"
    assert Project.objects.get(pk=codeless.pk).project_code == CODE


@pytest.mark.django_db
def test_the_window_registers_a_project_still_to_be_filed(client, youyang, staff, codeless):
    """A walk-in enterprise with no code yet: refused unless the request starts with the filing, and its
    project never merges with another project that waits for its code."""
    client.force_login(staff["clerk"])
    url = reverse("cases:window_request_create")
    permit_only = window_form(youyang, catalogue(youyang, "construction-permit"), project_code="")
    page = client.post(url, permit_only)
    assert page.status_code == 200 and "备案/核准" in page.content.decode()
    assert not Project.objects.filter(name="贡米仓储加工项目").exists()
    with_filing = window_form(
        youyang, catalogue(youyang, "project-filing", "construction-permit"), project_code=""
    )
    assert client.post(url, with_filing).status_code == 302
    project = Project.objects.get(name="贡米仓储加工项目")
    assert project.project_code == "" and project.pk != codeless.pk
    assert project.requests.get().items.count() == 2
