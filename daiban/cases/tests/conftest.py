import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from daiban.cases.services import RequestData, submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.organizations.models import Role
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="营业执照.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def items(youyang):
    codes = ["project-filing", "land-use-planning-permit", "construction-permit"]
    return list(ApprovalItem.objects.filter(jurisdiction=youyang, code__in=codes).order_by("position"))


@pytest.fixture
def park_project(youyang):
    return ProjectFactory(applicant__jurisdiction=youyang, location=youyang.units.get(code="gyyq"))


@pytest.fixture
def town_project(youyang):
    return ProjectFactory(applicant__jurisdiction=youyang, location=youyang.units.get(code="township-003"))


@pytest.fixture
def rep(park_project, town_project):
    """Represents both projects' enterprises."""
    user = UserFactory(mobile="13800000001")
    ApplicantRepresentative.objects.create(applicant=park_project.applicant, user=user)
    ApplicantRepresentative.objects.create(applicant=town_project.applicant, user=user)
    return user


@pytest.fixture
def staff(youyang, make_staff):
    return {
        "park_coord": make_staff(Role.COORDINATOR, youyang, "gyyq"),
        "park_agent": make_staff(Role.AGENT, youyang, "gyyq"),
        "park_agent2": make_staff(Role.AGENT, youyang, "gyyq"),
        "zjw_coord": make_staff(Role.COORDINATOR, youyang, "zjw"),
        "zjw_agent": make_staff(Role.AGENT, youyang, "zjw"),
        "town_coord": make_staff(Role.COORDINATOR, youyang, "township-003"),
        "town_agent": make_staff(Role.AGENT, youyang, "township-003"),
        "other_town_coord": make_staff(Role.COORDINATOR, youyang, "township-004"),
        "clerk": make_staff(Role.CLERK, youyang, "zwzx"),
        "supervisor": make_staff(Role.SUPERVISOR, youyang, "gaiban"),
    }


def data(items, **overrides):
    values = {"mode": "proxy", "approval_items": items, "consent": True, "free_of_charge_acknowledged": True}
    values.update(overrides)
    return RequestData(**values)


@pytest.fixture
def submitted(park_project, rep, items, staff):
    return submit_request(project=park_project, data=data(items), by=rep, channel="online")
