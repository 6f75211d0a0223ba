"""A third district from a data file only, then a request through it with the ordinary services."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from daiban.cases import services as steps
from daiban.cases.models import CaseItem, RoutingPolicy, ServiceRequest
from daiban.cases.tests.chains import deliver_it, file_it
from daiban.catalogue.models import ApprovalItem, CatalogueVersion
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.onboarding.models import OnboardingRecord
from daiban.onboarding.services import onboard_jurisdiction
from daiban.organizations.models import Jurisdiction, Role, ServiceZone, Unit
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory
from daiban.service_levels.models import ServiceLevel
from daiban.workdays.services import seed_calendar_from_library

DATA = Path(__file__).resolve().parent / "data"
CHANGSHOU = DATA / "500115.toml"


@pytest.fixture
def changshou(city: Jurisdiction) -> Jurisdiction:
    return onboard_jurisdiction(path=CHANGSHOU).jurisdiction


def test_command_onboards_the_district(city, capsys):
    call_command("onboard_jurisdiction", str(CHANGSHOU))
    out = capsys.readouterr().out
    assert "500115 长寿区" in out and "park_committee_or_department and service levels in force" in out
    jurisdiction = Jurisdiction.objects.get(code="500115")
    assert jurisdiction.parent == city
    assert jurisdiction.units.filter(kind=Unit.Kind.TOWNSHIP).count() == 7
    assert jurisdiction.units.get(code="gaiban").parent == jurisdiction.units.get(code="zjw")
    zone = ServiceZone.objects.get(jurisdiction=jurisdiction)
    assert zone.service_centre is not None
    assert (zone.phone, zone.service_centre.code) == ("023-00000000", "zwzx")
    version = CatalogueVersion.objects.get(jurisdiction=jurisdiction)
    assert version.status == CatalogueVersion.Status.IN_FORCE
    planning = ApprovalItem.objects.get(version=version, code="construction-planning-permit")
    assert planning.time_limit_days == 4 and "待区县确认" in planning.source
    assert planning.department.jurisdiction == jurisdiction
    record = OnboardingRecord.objects.get(jurisdiction=jurisdiction)
    assert record.routing["policy"] == "park_committee_or_department"
    assert record.service_levels["acceptance"] == 1 and record.applied_at is not None
    # In force through the services that own them, not only stored.
    assert RoutingPolicy.objects.get(jurisdiction=jurisdiction).policy == "park_committee_or_department"
    levels = ServiceLevel.objects.get(jurisdiction=jurisdiction)
    assert (levels.first_visit_days, levels.delivery_days, levels.rectification_days) == (3, 2, 10)
    assert AuditEntry.objects.filter(verb=AuditVerb.JURISDICTION_ONBOARDED).count() == 1


def test_running_the_same_file_again_changes_nothing(changshou):
    before = (Unit.objects.count(), ApprovalItem.objects.count(), ServiceZone.objects.count())
    onboard_jurisdiction(path=CHANGSHOU)
    assert (Unit.objects.count(), ApprovalItem.objects.count(), ServiceZone.objects.count()) == before
    assert AuditEntry.objects.filter(verb=AuditVerb.JURISDICTION_ONBOARDED).count() == 1


def test_a_new_phone_number_updates_the_zone_without_a_new_catalogue_version(changshou, tmp_path):
    changed = tmp_path / CHANGSHOU.name
    changed.write_text(CHANGSHOU.read_text().replace("023-00000000", "023-11111111"), encoding="utf-8")
    onboard_jurisdiction(path=changed)
    assert ServiceZone.objects.get(jurisdiction=changshou).phone == "023-11111111"
    assert CatalogueVersion.objects.filter(jurisdiction=changshou).count() == 1


def test_the_public_catalogue_shows_the_service_zone(changshou, client):
    page = client.get("/catalogue/", {"j": "500115"}).content.decode()
    assert "长寿区政务服务中心二楼帮代办专区" in page and "023-00000000" in page and "13:30" in page


def test_a_request_runs_through_the_new_district(changshou, make_staff):
    """submit → accept → assign → file → approve → deliver, with no code for 长寿区."""
    seed_calendar_from_library()
    project = ProjectFactory.create(
        applicant__jurisdiction=changshou, location=changshou.units.get(code="township-002")
    )
    rep = UserFactory.create()
    ApplicantRepresentative.objects.create(applicant=project.applicant, user=rep)
    coordinator = make_staff(Role.COORDINATOR, changshou, "gzj")
    agent = make_staff(Role.AGENT, changshou, "gzj")
    reviewer = make_staff(Role.SECTION_REVIEWER, changshou, "gzj", section_code="ghk")
    item = ApprovalItem.objects.get(
        jurisdiction=changshou, code="construction-planning-permit", is_active=True
    )
    request = steps.submit_request(
        project=project,
        data=steps.RequestData(
            mode="proxy", approval_items=[item], consent=True, free_of_charge_acknowledged=True
        ),
        by=rep,
        channel="online",
    )
    assert request.reference.split("-")[-1] == "000001"  # numbers count per jurisdiction
    steps.accept_request(request=request, by=coordinator)
    case_item = request.items.get()
    assert (case_item.responsible_unit.code, case_item.time_limit_days) == ("gzj", 4)
    steps.assign_agent(item=case_item, agent=agent, by=coordinator)
    today = timezone.localdate()
    case_item = file_it(CaseItem.objects.get(pk=case_item.pk), agent, filed_on=today)
    case_item = deliver_it(case_item, agent, reviewer, decided_on=today)
    assert case_item.state == CaseItem.State.DELIVERED
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.COMPLETED


# --- bad input: refused with file, entry and field named; nothing loaded ---------------------------

BAD = [
    (
        "duplicate unit code",
        ('code = "slj"', 'code = "sthjj"'),
        "500115.toml: unit sthjj: code: appears twice",
    ),
    (
        "unknown hosting unit",
        ('hosted_by = "zjw"', 'hosted_by = "jw"'),
        "500115.toml: unit gaiban: hosted_by: no unit 'jw'",
    ),
    (
        "unknown service centre",
        ('service_centre = "zwzx"', 'service_centre = "fgw"'),
        "500115.toml: service zone 社会投资项目帮代办专区: service_centre: no service centre 'fgw'",
    ),
    (
        "unknown department in an override",
        ("time_limit_days = 4\n", 'time_limit_days = 4\ndepartment = "jtj"\n'),
        "500115.toml: item construction-planning-permit: department: no department 'jtj'",
    ),
    (
        "committed limit above the working-day legal limit",
        ("time_limit_days = 4\n", "time_limit_days = 25\n"),
        "500115.toml: item construction-planning-permit: time_limit_days: committed 25 working days exceed",
    ),
    (
        "prerequisite cycle",
        ("time_limit_days = 4\n", 'time_limit_days = 4\nprerequisites = ["construction-permit"]\n'),
        "prerequisites form a cycle",
    ),
    (
        "override without a source",
        ('source = "测试数据：区县承诺时限（默认值，待区县确认）"\n', ""),
        "500115.toml: item construction-planning-permit: source: say where",
    ),
    (
        "missing zone phone",
        ('phone = "023-00000000"\n', ""),
        "500115.toml: service zone 社会投资项目帮代办专区: phone: is required",
    ),
    (
        "unknown service level",
        ("rectification = 10", "rectify = 10"),
        "500115.toml: service_levels: rectify: 未知的服务承诺 rectify",
    ),
    (
        "service level not a number",
        ("acceptance = 1", 'acceptance = "one"'),
        "500115.toml: service_levels: acceptance: 受理：时限须为整数个工作日",
    ),
    (
        "service level out of range",
        ("acceptance = 1", "acceptance = 61"),
        "500115.toml: service_levels: acceptance: 受理：时限须在 1 至 60 个工作日之间",
    ),
    (
        "unknown routing policy",
        ('policy = "park_committee_or_department"\n', 'policy = "by_lottery"\n'),
        "500115.toml: routing: policy: 没有名为 by_lottery 的分派规则",
    ),
    (
        "routing parameters refused",
        (
            'policy = "park_committee_or_department"\n',
            'policy = "park_committee_or_department"\nparameters = { township_role = "boss" }\n',
        ),
        "500115.toml: routing: parameters:",
    ),
    (
        "routing without a policy",
        ('policy = "park_committee_or_department"\n', ""),
        "500115.toml: routing: policy: name the policy",
    ),
    (
        "unknown top-level table",
        ("[routing]", "[routeing]"),
        "500115.toml: file: routeing: unknown key",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_onboarding_file_is_refused_and_nothing_is_loaded(city, tmp_path, case, change, message):
    text = CHANGSHOU.read_text(encoding="utf-8")
    old, new = change
    assert old in text
    bad = tmp_path / CHANGSHOU.name
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("onboard_jurisdiction", str(bad))
    assert message in str(caught.value) and "nothing was loaded" in str(caught.value)
    assert not Jurisdiction.objects.filter(code="500115").exists()
    assert not ServiceZone.objects.exists() and not OnboardingRecord.objects.exists()


def test_a_missing_file_is_refused(city, tmp_path):
    shutil.rmtree(tmp_path)
    with pytest.raises(CommandError, match="no such file"):
        call_command("onboard_jurisdiction", str(tmp_path / "500115.toml"))
