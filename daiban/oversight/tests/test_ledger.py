"""A quarter's ledger against figures worked out by hand on a small county."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from daiban.cases.models import CaseItem
from daiban.cases.services import accept_item, decline_item, submit_request
from daiban.cases.tests.conftest import data
from daiban.organizations.models import Role, Unit
from daiban.oversight.exports import ledger_workbook
from daiban.oversight.ledger import ledger_figures
from daiban.oversight.models import QuarterlyLedger
from daiban.oversight.services import submit_ledger
from daiban.workdays.quarters import Quarter

D = dt.date


def test_quarter_bounds():
    assert Quarter(2026, 1).bounds == (D(2026, 1, 1), D(2026, 3, 31))
    assert Quarter(2026, 3).bounds == (D(2026, 7, 1), D(2026, 9, 30))
    assert Quarter(2026, 4).bounds == (D(2026, 10, 1), D(2026, 12, 31))
    with pytest.raises(ValueError, match="quarter"):
        Quarter(2026, 5)


@pytest.mark.django_db
def test_ledger_numbers_match_the_hand_computed_ones(quarter, youyang):
    figures = ledger_figures(youyang, Quarter(2026, 3)).units
    units = {u.code: u.pk for u in Unit.objects.filter(jurisdiction=youyang)}
    park = figures[units["gyyq"]].as_dict()
    assert park == {
        "requests_received": 1,
        "requests_completed": 1,
        "items_filed": 2,
        "items_decided": 2,
        "decided_on_time": 1,
        "open_issues": 1,
        "evaluations": 2,
        "bad_evaluations": 1,
        "on_time_rate": 50.0,
        "average_used_days": 3.0,
        "average_limit_days": 2.0,
        "average_rating": 3.5,
    }
    town, zjw = figures[units["township-003"]], figures[units["zjw"]]
    assert (town.requests_received, town.items_filed, zjw.requests_received) == (1, 0, 1)
    assert figures[units["township-004"]].as_dict()["requests_received"] == 0
    assert ledger_figures(youyang, Quarter(2026, 4)).units[units["gyyq"]].items_decided == 0


@pytest.mark.django_db
def test_units_review_annotate_and_submit(quarter, youyang, staff, clock):
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    with pytest.raises(ValidationError, match="只有本单位的统筹人员"):
        submit_ledger(unit=park, quarter=Quarter(2026, 3), annotation="", by=staff["zjw_coord"])
    with pytest.raises(ValidationError, match="季度结束后"):
        submit_ledger(unit=park, quarter=Quarter(2026, 4), annotation="", by=staff["park_coord"])
    ledger = submit_ledger(
        unit=park, quarter=Quarter(2026, 3), annotation="施工许可超期系消防意见延迟", by=staff["park_coord"]
    )
    assert ledger.figures["on_time_rate"] == 50.0
    # Due 5 working days after 9-30: the National Day week does not count, so 10-13; 10-12 is on time.
    assert (ledger.due_on, ledger.late) == (D(2026, 10, 13), False)
    with pytest.raises(ValidationError, match="已经报送"):
        submit_ledger(unit=park, quarter=Quarter(2026, 3), annotation="", by=staff["park_coord"])


@pytest.mark.django_db
def test_excel_export_has_the_sheets_and_totals(quarter, youyang, staff):
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    submit_ledger(
        unit=park, quarter=Quarter(2026, 3), annotation="施工许可超期系消防意见延迟", by=staff["park_coord"]
    )
    # A decision recorded against the wrong day is corrected after the park submitted.
    CaseItem.objects.filter(request__locality=park, approval_item__code="project-filing").update(
        decided_on=D(2026, 10, 9)
    )
    book = load_workbook(io.BytesIO(ledger_workbook(youyang, Quarter(2026, 3)).read()), read_only=True)
    assert book.sheetnames == ["台账汇总", "办结事项明细", "需协办事项问题清单"]
    summary: list[tuple[Any, ...]] = list(book["台账汇总"].iter_rows(values_only=True))  # the values written
    assert "2026年第三季度" in summary[0][0]
    header = summary[1]
    assert header[0] == "单位" and header[7] == "按时办结率（%）"
    total = summary[-2]
    assert total[0] == "合计" and "按报送时" in summary[-1][0]
    column = {name: i for i, name in enumerate(header)}
    assert (
        total[column["办结事项数"]] == 1  # counted now: the filing moved out of the quarter
        and total[column["按时办结数"]] == 0
        and total[column["按时办结率（%）"]] == 0.0
    )
    # Township-003 and zjw each count the township request in their rows; the total counts it once.
    rows = summary[2:-2]
    assert sum(r[column["新受理申请数"]] for r in rows) == 3
    assert total[column["新受理申请数"]] == 2
    park_row = next(
        r
        for r in rows
        if r[0] == "酉阳自治县工业园区管委会" or r[0].endswith("工业园区管理委员会") or "工业园区" in r[0]
    )
    assert park_row[column["差评数"]] == 1
    # The park's row is its ledger as submitted: both items decided, one on time, and its note.
    assert (park_row[column["办结事项数"]], park_row[column["按时办结率（%）"]]) == (2, 50.0)
    assert park_row[column["单位说明"]] == "施工许可超期系消防意见延迟"
    detail: list[tuple[Any, ...]] = list(book["办结事项明细"].iter_rows(values_only=True))
    assert len(detail) == 2 and {r[2] for r in detail[1:]} == {"建筑工程施工许可证核发"}


@pytest.mark.django_db
def test_ledger_pages_check_role_and_owner(client, quarter, youyang, staff, dz_supervisor):
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    url = reverse("oversight:ledger_detail", args=[park.pk, 2026, 3])
    export = reverse("oversight:ledger_export") + "?j=500242&year=2026&quarter=3"
    client.force_login(staff["park_agent"])
    assert client.get(url).status_code == 403
    client.force_login(staff["zjw_coord"])  # another unit's coordinator
    assert client.get(url).status_code == 404
    assert client.get(export).status_code == 403
    client.force_login(dz_supervisor)
    assert client.get(url).status_code == 404
    assert client.get(export).status_code == 404
    client.force_login(staff["park_coord"])
    page = client.get(url).content.decode()
    assert "50.0" in page and "报送工改办" in page
    assert client.post(url, {"annotation": "很" * 2001}).status_code == 400
    assert not QuarterlyLedger.objects.exists()
    assert client.post(url, {"annotation": "消防意见延迟"}).status_code == 302
    assert QuarterlyLedger.objects.get().annotation == "消防意见延迟"
    assert client.post(url, {"annotation": "再报一次"}).status_code == 403
    client.force_login(staff["supervisor"])
    listing = client.get(reverse("oversight:ledger_list"), {"year": 2026, "quarter": 3}).content.decode()
    assert (
        "49个单位中已有1个报送" in listing and '<span class="clock clock-done">2026-10-12</span>' in listing
    )
    response = client.get(export)
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames == [
        "台账汇总",
        "办结事项明细",
        "需协办事项问题清单",
    ]


FORMULAS = [
    '=HYPERLINK("http://x","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1+1",
    "＋1",
    "－1",
    "＠A1",
]


@pytest.mark.django_db
def test_excel_export_writes_every_text_a_person_typed_as_text(quarter, youyang, staff):
    """Each text column people fill (project, code, item, units, agent, receipt number, the ledger's note)
    carries a formula-like value; read back, no cell of the workbook is a formula, every value is kept as
    typed, and a risky one carries Excel's quote prefix so editing it does not make it one."""
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    items = CaseItem.objects.filter(request__jurisdiction=youyang, decided_on__isnull=False)
    item = items.select_related("request__project", "approval_item", "agent", "request__locality").first()
    assert item is not None and item.agent is not None
    typed = iter(FORMULAS)
    project, agent = item.request.project, item.agent
    project.name, project.project_code = next(typed), next(typed)
    project.save(update_fields=["name", "project_code"])
    item.approval_item.name = next(typed)
    item.approval_item.save(update_fields=["name"])
    Unit.objects.filter(pk__in=[item.responsible_unit_id, item.request.locality_id]).update(name=next(typed))
    agent.full_name = next(typed)
    agent.save(update_fields=["full_name"])
    CaseItem.objects.filter(pk=item.pk).update(external_ref=next(typed))
    submit_ledger(unit=park, quarter=Quarter(2026, 3), annotation=next(typed), by=staff["park_coord"])
    book = load_workbook(io.BytesIO(ledger_workbook(youyang, Quarter(2026, 3)).read()))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    written = [v.replace("\r", "\n") for v in FORMULAS[:7]]  # typed above; XML keeps CR as a line feed
    assert set(written) <= set(texts), set(written) - set(texts)
    assert all(texts[value].quotePrefix for value in written)
    assert not texts["合计"].quotePrefix  # ordinary text is left alone


@pytest.mark.django_db
def test_excel_export_has_the_quarters_issue_list_and_readable_sheets(quarter, youyang, staff):
    """The units submit the 问题清单 with the ledger every quarter: the export has it as its own sheet —
    issues on the list at some time in the quarter, not those resolved before it or raised after it — and
    the long sheets have set widths and a frozen header row."""
    import datetime as dt_

    from daiban.oversight.models import CoordinationIssue

    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    at = lambda y, m, d: dt_.datetime(y, m, d, 4, tzinfo=dt_.UTC)  # noqa: E731 - noon in Chongqing

    def issue(title, raised, resolved=None):
        made = CoordinationIssue.objects.create(
            jurisdiction=youyang, unit=park, title=title, description="说明", raised_by=staff["park_agent"]
        )
        CoordinationIssue.objects.filter(pk=made.pk).update(
            raised_at=raised,
            resolved_at=resolved,
            status=CoordinationIssue.Status.RESOLVED if resolved else CoordinationIssue.Status.OPEN,
            resolution="已协调" if resolved else "",
        )

    issue("上季度已解决", at(2026, 5, 4), at(2026, 6, 20))
    issue("上季度提出本季度解决", at(2026, 6, 1), at(2026, 8, 3))
    issue("下季度才提出", at(2026, 10, 9))
    book = load_workbook(io.BytesIO(ledger_workbook(youyang, Quarter(2026, 3)).read()))
    assert book.sheetnames == ["台账汇总", "办结事项明细", "需协办事项问题清单"]
    sheet = book["需协办事项问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("问题", "详细情况", "项目")
    assert [r[0] for r in rows[1:]] == ["上季度提出本季度解决", "消防意见迟迟未出"]
    carried = rows[1]
    assert carried[9] == "已解决" and carried[10] == "已协调" and carried[11] == "2026-08-03 12:00"
    from_item = rows[2]
    assert from_item[2] == quarter.project.name and from_item[3] == "建筑工程施工许可证核发"
    for name in ("办结事项明细", "需协办事项问题清单"):
        assert book[name].freeze_panes == "A2"
        assert book[name].column_dimensions["A"].width == 30
        assert book[name]["A1"].font.bold


@pytest.mark.django_db
def test_a_declined_item_of_an_accepted_request_counts_for_nobody(
    quarter, youyang, items, rep, town_project, make_staff, clock
):
    """A second township request: one unit accepts its item, the other declines its own. The request was
    received by the township and the accepting unit, not by the declining one."""
    before = ledger_figures(youyang, Quarter(2026, 3)).units
    clock(2026, 9, 21)
    chosen = [i for i in items if i.code in ("project-filing", "land-use-planning-permit")]
    request = submit_request(project=town_project, data=data(chosen), by=rep, channel="online")
    kept, declined = request.items.select_related("responsible_unit").order_by("position")
    assert kept.responsible_unit_id != declined.responsible_unit_id
    coordinator = {
        item.pk: make_staff(Role.COORDINATOR, youyang, item.responsible_unit.code)
        for item in (kept, declined)
    }
    decline_item(item=declined, reason="不属于本单位职责", by=coordinator[declined.pk])
    accept_item(item=kept, by=coordinator[kept.pk])
    request.refresh_from_db()
    assert request.state == request.State.ACCEPTED
    after = ledger_figures(youyang, Quarter(2026, 3)).units
    town = Unit.objects.get(jurisdiction=youyang, code="township-003").pk
    assert after[town].requests_received == before[town].requests_received + 1
    accepting, declining = kept.responsible_unit_id, declined.responsible_unit_id
    assert after[accepting].requests_received == before[accepting].requests_received + 1
    assert after[declining].requests_received == before[declining].requests_received
