"""A new catalogue version loaded while requests run in every state (ADR 0015): it loads, and nothing a
running case, a ledger or a ranking reads moves; new requests get the new version; old guides stay."""

import datetime as dt
import shutil

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from daiban.cases import services as steps
from daiban.cases.deadlines import item_clocks, refresh_due_dates
from daiban.cases.models import CaseItem, ServiceRequest
from daiban.cases.tests.chains import file_it
from daiban.cases.tests.conftest import data
from daiban.catalogue import services as catalogue
from daiban.catalogue.models import ApprovalItem, CatalogueVersion
from daiban.catalogue.selectors import published_items
from daiban.organizations.models import Unit
from daiban.oversight.assessment import rank_agents, rank_units
from daiban.oversight.ledger import ledger_figures
from daiban.oversight.models import QuarterlyLedger
from daiban.oversight.services import submit_ledger
from daiban.projects.tests.factories import ProjectFactory
from daiban.workdays.quarters import Quarter

D = dt.date
RENAMED = "建筑工程施工许可申请书（新版）"
CHANGES = f"""
[overrides.construction-permit]
time_limit_days = 2
materials = [
  {{ name = "{RENAMED}", key = true }},
  {{ name = "建设工程规划许可证", key = true }},
  {{ name = "施工、监理合同（依法应当招标的附中标通知书）", key = true }},
  {{ name = "质量安全监督手续", key = false }},
]

[overrides.land-use-planning-permit]
materials = [
  {{ name = "建设用地规划许可申请表", key = true }},
  {{ name = "国有建设用地使用权出让合同", key = true }},
  {{ name = "项目备案证或核准批复", key = false }},
]

[[items]]
code = "road-excavation-local"
name = "城市道路挖掘（本县补充）"
stage = "construction_permit"
department = "gzj"
legal_time_limit_days = 20
time_limit_days = 10
result = {{ name = "道路挖掘批复" }}
source = "《中华人民共和国土地管理法》第五十七条"
materials = [{{ name = "道路挖掘申请书" }}, {{ name = "土地复垦方案", key = false }}]
"""


@pytest.fixture
def running(quarter, youyang, staff, reviewer, rep, clock, items):
    """Besides the quarter's completed park request and submitted township request: a dispatched park
    request with an item under review, one filed and one collecting (a checklist line of the material the
    new version removes received); a declined and a withdrawn request; the park's Q3 ledger submitted."""
    clock(2026, 10, 12)
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    second = ProjectFactory.create(applicant=quarter.project.applicant, location=park)
    request = steps.submit_request(project=second, data=data(items), by=rep, channel="online")
    steps.accept_request(request=request, by=staff["park_coord"])
    filing, land, permit = request.items.order_by("position")
    for item in (filing, land, permit):
        steps.assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    file_it(filing, staff["park_agent"], filed_on=D(2026, 10, 12))
    permit = file_it(permit, staff["park_agent"], filed_on=D(2026, 10, 12))
    steps.start_review(item=permit, by=reviewer, expected_version=permit.version)
    land = steps.start_collecting(item=land, by=staff["park_agent"], expected_version=land.version)
    for line in land.checklist.all():
        steps.update_checklist_line(
            line=line, status="received", promised_on=None, note="", by=staff["park_agent"]
        )
    for fate in ("decline", "withdraw"):
        project = ProjectFactory.create(applicant=quarter.project.applicant, location=park)
        other = steps.submit_request(project=project, data=data(items[:1]), by=rep, channel="online")
        if fate == "decline":
            steps.decline_request(request=other, reason="不属于帮代办范围", by=staff["park_coord"])
        else:
            steps.withdraw_request(request=other, by=rep)
    submit_ledger(unit=park, quarter=Quarter(2026, 3), annotation="", by=staff["park_coord"])
    assert set(ServiceRequest.objects.values_list("state", flat=True)) == {
        "submitted",
        "dispatched",
        "completed",
        "declined",
        "withdrawn",
    }
    return request


def what_cases_read(jurisdiction):
    today = timezone.localdate()
    items = list(CaseItem.objects.filter(request__jurisdiction=jurisdiction).order_by("pk"))
    clocks = item_clocks(items, today)
    return {
        "items": {
            i.pk: (
                i.approval_item_id,
                i.time_limit_days,
                i.legal_time_limit_days,
                i.result_document_id,
                i.section_id,
                i.due_on,
                clocks[i.pk],
                sorted(
                    i.checklist.values_list("material_id", "material__name", "material__is_key", "status")
                ),
            )
            for i in items
        },
        "ledgers": {q: ledger_figures(jurisdiction, Quarter(2026, q)).units for q in (3, 4)},
        "submitted": list(QuarterlyLedger.objects.values_list("unit", "figures", "due_on", "submitted_at")),
        "ranking": [
            [(r.rank, r.subject.pk, r.score, r.values) for r in rank(jurisdiction, Quarter(2026, q))]
            for rank in (rank_units, rank_agents)
            for q in (3, 4)
        ],
    }


@pytest.fixture
def new_version(tmp_path, monkeypatch):
    for f in catalogue.DATA_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(catalogue, "DATA_DIR", tmp_path)
    f = tmp_path / "500242.toml"
    text = f.read_text(encoding="utf-8").replace('version = "2026.2"', 'version = "2026.3"')
    f.write_text(text + CHANGES, "utf-8")
    return f


@pytest.mark.django_db
def test_a_new_version_changes_nothing_a_running_case_reads(
    running, new_version, youyang, rep, staff, clock, client, town_project
):
    before = what_cases_read(youyang)
    assert any(clock.level == "on_time" for *_, clock, _ in before["items"].values())

    clock(2026, 11, 3)
    before = what_cases_read(youyang)  # the same day as the checks after the load
    version = catalogue.load_catalogue(path=new_version)

    assert (version.version, version.status, version.effective_on) == ("2026.3", "in_force", D(2026, 11, 3))
    assert what_cases_read(youyang) == before
    assert refresh_due_dates(CaseItem.objects.all()) == 0  # the daily sweep finds nothing to move

    # New requests use the new version: its limit, its materials, its new item.
    current = {i.code: i for i in published_items(youyang)}
    assert {i.version_id for i in current.values()} == {version.pk}
    assert "road-excavation-local" in current
    project = ProjectFactory.create(applicant=running.project.applicant, location=running.locality)
    request = steps.submit_request(
        project=project,
        data=data([current["construction-permit"], current["road-excavation-local"]]),
        by=rep,
        channel="online",
    )
    permit = request.items.get(approval_item__code="construction-permit")
    assert (permit.time_limit_days, permit.approval_item.version.version) == (2, "2026.3")
    assert RENAMED in permit.checklist.values_list("material__name", flat=True)
    old_permit = ApprovalItem.objects.get(
        jurisdiction=youyang, code="construction-permit", version__version="2026.2"
    )
    with pytest.raises(ValidationError, match="以下事项不在项目所在地办理"):
        steps.submit_request(
            project=ProjectFactory.create(applicant=project.applicant),
            data=data([old_permit]),
            by=rep,
            channel="online",
        )
    # The township's open request holds the permit under the old version: still "already covered".
    with pytest.raises(ValidationError) as refused:
        steps.submit_request(
            project=town_project, data=data([current["construction-permit"]]), by=rep, channel="online"
        )
    assert "以下事项已有未办结的申请：建筑工程施工许可证核发" in str(refused.value)

    # The old version's guide stays readable, the current one shows the new terms.
    url = reverse("catalogue:item_detail", args=["500242", "construction-permit"])
    old_page = client.get(url, {"version": "2026.2"}).content.decode()
    assert "建筑工程施工许可证申请表" in old_page and "2026.2" in old_page and "3 个工作日" in old_page
    new_page = client.get(url).content.decode()
    assert RENAMED in new_page and "建筑工程施工许可证申请表" not in new_page and "2 个工作日" in new_page
    assert client.get(url, {"version": "2099.9"}).status_code == 404
    assert CatalogueVersion.objects.get(version="2026.2", jurisdiction=youyang).status == "retired"
