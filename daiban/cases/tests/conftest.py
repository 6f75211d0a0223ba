import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from daiban.cases.services import RequestData, accept_request, assign_agent, submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.organizations.models import Role
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory
from daiban.workdays.services import seed_calendar_from_library

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
    return ProjectFactory.create(applicant__jurisdiction=youyang, location=youyang.units.get(code="gyyq"))


@pytest.fixture
def town_project(youyang):
    return ProjectFactory.create(
        applicant__jurisdiction=youyang, location=youyang.units.get(code="township-003")
    )


@pytest.fixture
def rep(park_project, town_project):
    """Represents both projects' enterprises."""
    user = UserFactory.create(mobile="13800000001")
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


SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def clock(monkeypatch):
    """Set the platform's "now" (Asia/Shanghai wall time); timestamps and `localdate()` follow it."""

    def set_to(year, month, day, hour=10):
        moment = dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    set_to(2026, 11, 2)
    return set_to


@pytest.fixture
def dispatched(clock, park_project, rep, items, staff):
    """A park request for the project filing (park agent) and the construction permit (second park agent)."""
    seed_calendar_from_library()
    chosen = [i for i in items if i.code in ("project-filing", "construction-permit")]
    request = submit_request(project=park_project, data=data(chosen), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    first, second = request.items.order_by("position")
    assign_agent(item=first, agent=staff["park_agent"], by=staff["park_coord"])
    assign_agent(item=second, agent=staff["park_agent2"], by=staff["park_coord"])
    request.refresh_from_db()
    return request
