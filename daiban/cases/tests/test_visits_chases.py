import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from daiban.cases import services as steps
from daiban.cases.models import ChaseRecord, RequestDocument, Visit
from daiban.cases.services import accept_request, assign_agent
from daiban.notifications.models import Notification

from .conftest import PNG, pdf

TODAY = timezone.localdate


@pytest.fixture
def handled(submitted, staff):
    accept_request(request=submitted, by=staff["park_coord"])
    for item in submitted.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    submitted.refresh_from_db()
    return submitted


@pytest.mark.django_db
def test_agent_records_a_visit_with_scans_and_forms(handled, staff):
    item = handled.items.first()
    visit = steps.record_visit(
        request=handled, visited_on=TODAY(), place="企业办公室", people_met="向美玲（项目经理）", note="核对原件，代填申请表",
        uploads=[steps.VisitUpload(pdf("申请表.pdf"), "filled_form", item), steps.VisitUpload(pdf("现场.png", PNG), "photo")],
        by=staff["park_agent"],
    )  # fmt: skip
    assert visit.documents.count() == 2
    assert RequestDocument.objects.get(kind="filled_form").case_item == item
    assert handled.timeline.filter(verb="request.visited").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"place": " "}, "place"), ({"people_met": ""}, "people_met"),
     ({"visited_on": dt.date(2099, 1, 1)}, "visited_on"), ({"visited_on": dt.date(2020, 1, 1)}, "visited_on")],
)  # fmt: skip
def test_bad_visits_save_nothing(handled, staff, overrides, field):
    values = {"visited_on": TODAY(), "place": "现场", "people_met": "某人", "note": "", "uploads": [pdf()]}
    values.update(overrides)
    values["uploads"] = [steps.VisitUpload(values["uploads"][0], "material")]
    with pytest.raises(ValidationError) as exc:
        steps.record_visit(request=handled, by=staff["park_agent"], **values)
    assert field in exc.value.message_dict
    assert not Visit.objects.exists()
    assert not RequestDocument.objects.filter(visit__isnull=False).exists()


@pytest.mark.django_db
def test_only_the_requests_agents_record_visits(handled, staff):
    with pytest.raises(ValidationError):
        steps.record_visit(request=handled, visited_on=TODAY(), place="x", people_met="y", note="", uploads=[],
                           by=staff["zjw_agent"])  # fmt: skip
    assert not Visit.objects.exists()


def filed(handled, staff):
    agent = staff["park_agent"]
    item = handled.items.get(approval_item__code="construction-permit")
    item = steps.start_collecting(item=item, by=agent, expected_version=item.version)
    for line in item.checklist.all():
        steps.update_checklist_line(line=line, status="received", promised_on=None, note="", by=agent)
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    return steps.file_item(
        item=item, external_ref="RCPT-445566", filed_on=TODAY(), by=agent, expected_version=item.version
    )


@pytest.mark.django_db
def test_chases_become_progress_reports(client, handled, staff, rep, youyang):
    item = filed(handled, staff)
    zjw = youyang.units.get(code="zjw")
    with pytest.raises(ValidationError):
        steps.record_chase(item=item, chased_on=TODAY(), department=zjw, how="phone", answer="", next_step="",
                           shared=True, by=staff["park_agent"])  # fmt: skip
    with pytest.raises(ValidationError):
        steps.record_chase(item=item, chased_on=TODAY(), department=youyang.units.get(code="gyyq"), how="phone",
                           answer="x", next_step="", shared=True, by=staff["park_agent"])  # fmt: skip
    with pytest.raises(ValidationError):
        steps.record_chase(item=item, chased_on=TODAY(), department=zjw, how="phone", answer="x", next_step="",
                           shared=True, by=staff["park_agent2"])  # fmt: skip
    steps.record_chase(item=item, chased_on=TODAY(), department=zjw, how="phone", answer="审查中，预计周五出具意见",
                       next_step="周五再电话确认", shared=True, by=staff["park_agent"])  # fmt: skip
    steps.record_chase(item=item, chased_on=TODAY(), department=zjw, how="in_person", answer="科长出差，内部备注",
                       next_step="", shared=False, by=staff["park_agent"])  # fmt: skip
    assert ChaseRecord.objects.count() == 2
    assert Notification.objects.filter(recipient=rep, verb="item.progress_reported").count() == 1
    url = reverse("cases:item_detail", args=[handled.pk, item.pk])
    client.force_login(rep)
    page = client.get(url).content.decode()
    assert "预计周五出具意见" in page and "内部备注" not in page
    client.force_login(staff["park_agent"])
    page = client.get(url).content.decode()
    assert "内部备注" in page


@pytest.mark.django_db
def test_visit_and_chase_pages(client, handled, staff, youyang):
    client.force_login(staff["park_agent"])
    response = client.post(
        reverse("cases:visit_create", args=[handled.pk]),
        {"visited_on": TODAY().isoformat(), "place": "企业会议室", "people_met": "向美玲", "note": "",
         "document_kind": "material", "documents": [pdf()]},
    )  # fmt: skip
    assert response.status_code == 302
    assert Visit.objects.get().documents.count() == 1
    client.force_login(staff["park_coord"])  # a coordinator is not an agent: 403
    assert client.post(reverse("cases:visit_create", args=[handled.pk]), {}).status_code == 403
    item = filed(handled, staff)
    client.force_login(staff["zjw_agent"])  # an agent, but not of this request: 404
    url = reverse("cases:chase_create", args=[handled.pk, item.pk])
    assert client.post(url, {}).status_code == 404


def test_date_pickers_get_iso_values_in_chinese():
    from daiban.cases.forms import VisitForm

    html = str(VisitForm(initial={"visited_on": dt.date(2026, 11, 23)})["visited_on"])
    assert 'type="date"' in html and 'value="2026-11-23"' in html
