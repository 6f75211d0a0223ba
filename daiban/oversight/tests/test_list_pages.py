"""The issue, consultation and evaluation lists through `common.listing` (ADR 0026): search, filters, sort,
bad parameters answered 400 in Chinese, the Excel export of what is filtered, and the same number of
queries at N and 2N rows."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from daiban.assistance.models import Consultation
from daiban.feedback.models import Evaluation
from daiban.organizations.models import Role, Unit
from daiban.oversight.models import CoordinationIssue


def url(name, **params):
    from urllib.parse import urlencode

    return reverse(name) + ("?" + urlencode(params) if params else "")


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx)


def sheet_rows(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def make_issues(youyang, staff, n, title="问题"):
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    town = Unit.objects.get(jurisdiction=youyang, code="township-003")
    for i in range(n):
        CoordinationIssue.objects.create(
            jurisdiction=youyang,
            unit=park if i % 2 else town,
            title=f"{title}{i}",
            description="需要协调",
            raised_by=staff["park_agent"],
            assignee=staff["park_agent2"] if i % 3 == 0 else None,
            status=CoordinationIssue.Status.ASSIGNED if i % 3 == 0 else CoordinationIssue.Status.OPEN,
        )


@pytest.mark.django_db
def test_issue_list_search_filter_sort_export(client, youyang, staff):
    make_issues(youyang, staff, 4)
    CoordinationIssue.objects.create(
        jurisdiction=youyang,
        title="消防意见迟迟未出",
        description='=HYPERLINK("x")',
        raised_by=staff["park_agent"],
    )
    client.force_login(staff["supervisor"])
    page = client.get(url("oversight:issue_list", q="消防")).content.decode()
    assert "消防意见迟迟未出" in page and "问题1" not in page
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    page = client.get(url("oversight:issue_list", unit=park.pk, status="open")).content.decode()
    assert "问题1" in page and "问题3" not in page and "问题0" not in page  # 3 is assigned, 0 in the town
    rows = sheet_rows(client.get(url("oversight:issue_list", unit=park.pk, sort="old", export="xlsx")))
    assert rows[0][0] == "问题" and [r[0] for r in rows[1:]] == ["问题1", "问题3"]
    rows = sheet_rows(client.get(url("oversight:issue_list", q="消防", export="xlsx")))
    assert rows[1][1] == '=HYPERLINK("x")'  # text, not a formula (read back as the typed text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"status": "nope"},
        {"unit": "999999"},
        {"sort": "x"},
        {"from": "2026-13-01"},
        {"q": "字" * 101},
        {"from": "2026-10-02", "to": "2026-10-01"},
        {"export": "csv"},
    ],
)
def test_bad_list_parameters_are_400_in_chinese(client, youyang, staff, params):
    client.force_login(staff["supervisor"])
    for name in ("oversight:issue_list", "assistance:consultation_list", "feedback:evaluation_list"):
        if name != "oversight:issue_list" and ("status" in params or "unit" in params):
            continue
        response = client.get(url(name, **params))
        assert response.status_code == 400, (name, params)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())


@pytest.mark.django_db
def test_issue_list_queries_do_not_grow_with_rows(client, youyang, staff):
    client.force_login(staff["supervisor"])
    make_issues(youyang, staff, 5)
    at_n = count_queries(client, url("oversight:issue_list"))
    make_issues(youyang, staff, 5, title="再")
    assert count_queries(client, url("oversight:issue_list")) == at_n


def make_consultations(youyang, staff, n, prefix="施工许可"):
    for i in range(n):
        Consultation.objects.create(
            jurisdiction=youyang,
            asker_name=f"王{i}",
            asker_mobile="13900000000",
            channel=Consultation.Channel.choices[i % 2][0],
            topic=Consultation.Topic.choices[0][0],
            question=f"{prefix}问题{i}",
            recorded_by=staff["clerk"],
            answer="见指南" if i % 2 else "",
            answered_by=staff["park_agent"] if i % 2 else None,
        )


@pytest.mark.django_db
def test_consultation_list_search_filter_export_and_bounded_queries(client, youyang, staff):
    from django.utils import timezone

    make_consultations(youyang, staff, 4)
    Consultation.objects.filter(answer="见指南").update(answered_at=timezone.now())
    client.force_login(staff["supervisor"])
    page = client.get(url("assistance:consultation_list", q="问题2")).content.decode()
    assert "施工许可问题2" in page and "施工许可问题1" not in page
    rows = sheet_rows(
        client.get(url("assistance:consultation_list", show="answered", sort="old", export="xlsx"))
    )
    assert [r[5] for r in rows[1:]] == ["施工许可问题1", "施工许可问题3"]
    assert all("13900000000" not in str(cell) for r in rows for cell in r)  # the mobile is never exported
    at_n = count_queries(client, url("assistance:consultation_list"))
    make_consultations(youyang, staff, 4, prefix="用地")
    assert count_queries(client, url("assistance:consultation_list")) == at_n


def make_evaluations(submitted, youyang, make_staff, rep, n, bad_every=2):
    for i in range(n):
        agent = make_staff(Role.AGENT, youyang, "gyyq")
        bad = i % bad_every == 0
        Evaluation.objects.create(
            request=submitted,
            jurisdiction=youyang,
            agent=agent,
            attitude=1 if bad else 5,
            efficiency=2 if bad else 5,
            integrity=2 if bad else 5,
            is_bad=bad,
            comment=f"评价{i}",
            given_by=rep,
        )


@pytest.mark.django_db
def test_evaluation_list_filters_export_and_bounded_queries(
    client, submitted, youyang, make_staff, rep, staff
):
    make_evaluations(submitted, youyang, make_staff, rep, 4)
    client.force_login(staff["supervisor"])
    rows = sheet_rows(client.get(url("feedback:evaluation_list", bad="1", sort="old", export="xlsx")))
    assert [r[7] for r in rows[1:]] == ["评价0", "评价2"]
    page = client.get(url("feedback:evaluation_list", bad="0")).content.decode()
    assert "评价1" in page and "评价0" not in page
    at_n = count_queries(client, url("feedback:evaluation_list"))
    make_evaluations(submitted, youyang, make_staff, rep, 4)
    assert count_queries(client, url("feedback:evaluation_list")) == at_n


@pytest.mark.django_db
def test_a_withheld_rating_is_neither_found_nor_exported_to_the_agent_it_rates(
    client, submitted, youyang, rep
):
    """The rated agent must not learn whose a withheld bad rating is: a search by the project or a period
    would tell, so narrowed lists leave it out; the export masks it like the page."""
    from daiban.cases.models import CaseItem

    agent = CaseItem.objects.filter(request=submitted).first()
    evaluation = Evaluation.objects.create(
        request=submitted,
        jurisdiction=youyang,
        agent=rep,
        attitude=1,
        efficiency=1,
        integrity=1,
        is_bad=True,
        comment="态度很差",
        given_by=rep,
    )
    assert agent is not None and evaluation.hidden_from_agent
    client.force_login(rep)  # the person rated (any user: visibility is by agent_id)
    rows = sheet_rows(client.get(url("feedback:evaluation_list", export="xlsx")))
    assert len(rows) == 2 and submitted.project.name not in rows[1] and "态度很差" not in rows[1]
    rows = sheet_rows(
        client.get(url("feedback:evaluation_list", q=submitted.project.name[:4], export="xlsx"))
    )
    assert len(rows) == 1
