import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daiban.cases.models import ItemAssignment, ServiceRequest
from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative
from daiban.projects.tests.factories import ProjectFactory

from .conftest import PNG, data, pdf


def form_data(project, items, **overrides):
    values = {
        "project": project.pk,
        "mode": "proxy",
        "approval_items": [i.pk for i in items],
        "consent": "on",
        "free_of_charge_acknowledged": "on",
        "note": "希望尽快办理",
    }
    values.update(overrides)
    return values


@pytest.mark.django_db
def test_applicant_applies_online(client, rep, park_project, items, staff):
    client.force_login(rep)
    page = client.get(reverse("cases:request_create")).content.decode()
    assert "立项用地规划许可" in page and "建筑工程施工许可证核发" in page and "办事指南" in page
    response = client.post(
        reverse("cases:request_create"),
        {**form_data(park_project, items), "documents": [pdf(), pdf("现场.png", PNG)]},
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert request.items.count() == 3
    assert request.documents.count() == 2
    detail = client.get(reverse("cases:request_detail", args=[request.pk])).content.decode()
    assert "待受理" in detail and request.reference in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"approval_items": []}, "请至少选择一个审批事项"),
        ({"consent": ""}, "选择代办须经项目单位委托同意"),
        ({"free_of_charge_acknowledged": ""}, "这个字段是必填项"),
        ({"documents": [pdf("伪装.pdf", b"MZ\x90\x00 not a document")]}, "按文件内容检查"),
    ],
)
def test_bad_online_applications_are_refused_in_chinese(
    client, rep, park_project, items, staff, overrides, message
):
    client.force_login(rep)
    response = client.post(reverse("cases:request_create"), form_data(park_project, items, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_another_enterprises_project_cannot_be_chosen(client, rep, items, youyang, staff):
    stranger = ProjectFactory.create(applicant__jurisdiction=youyang)
    client.force_login(rep)
    response = client.post(reverse("cases:request_create"), form_data(stranger, items))
    assert response.status_code == 200
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_coordinator_accepts_and_assigns_through_the_pages(client, submitted, staff):
    client.force_login(staff["park_coord"])
    assert submitted.reference in client.get(reverse("cases:dispatch")).content.decode()
    client.post(reverse("cases:request_accept", args=[submitted.pk]))
    page = client.get(reverse("cases:request_detail", args=[submitted.pk])).content.decode()
    assert "在办 0 项" in page
    for item in submitted.items.all():
        client.post(
            reverse("cases:item_assign", args=[submitted.pk, item.pk]),
            {f"item{item.pk}-agent": staff["park_agent"].pk},
        )
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.DISPATCHED
    timeline = client.get(reverse("cases:request_detail", args=[submitted.pk])).content.decode()
    assert "全部事项已分派" in timeline and "分派专员" in timeline
    client.force_login(staff["park_agent"])
    worklist = client.get(reverse("cases:worklist")).content.decode()
    assert worklist.count('class="work-item ') == 3


@pytest.mark.django_db
def test_a_second_coordinator_does_not_silently_reassign(client, submitted, staff):
    """Two coordinators open the same page and each picks an agent: the second is told who was assigned
    meanwhile; the first assignment stands."""
    client.force_login(staff["park_coord"])
    client.post(reverse("cases:request_accept", args=[submitted.pk]))
    item = submitted.items.first()
    url = reverse("cases:item_assign", args=[submitted.pk, item.pk])
    page = client.get(reverse("cases:request_detail", args=[submitted.pk])).content.decode()
    assert f'name="item{item.pk}-current" value="0"' in page
    client.post(url, {f"item{item.pk}-agent": staff["park_agent"].pk, f"item{item.pk}-current": 0})
    answer = client.post(
        url,
        {
            f"item{item.pk}-agent": staff["park_agent2"].pk,
            f"item{item.pk}-current": 0,
            f"item{item.pk}-reason": "忙",
        },
        follow=True,
    ).content.decode()
    item.refresh_from_db()
    assert item.agent == staff["park_agent"]
    assert "刚刚已分派给" in answer and staff["park_agent"].display_name in answer
    assert ItemAssignment.objects.filter(case_item=item).count() == 1


@pytest.mark.django_db
def test_decline_without_reason_is_refused(client, submitted, staff):
    client.force_login(staff["park_coord"])
    client.post(reverse("cases:request_decline", args=[submitted.pk]), {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.SUBMITTED


@pytest.mark.django_db
def test_who_sees_a_request(client, submitted, staff, rep, youyang, dz_supervisor):
    url = reverse("cases:request_detail", args=[submitted.pk])
    allowed = [rep, staff["park_coord"], staff["supervisor"]]
    denied = [
        staff["zjw_coord"],
        staff["zjw_agent"],
        staff["town_coord"],
        staff["clerk"],
        staff["park_agent"],
        dz_supervisor,
        UserFactory.create(),
    ]
    for user in allowed:
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in denied:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    accept_request(request=submitted, by=staff["park_coord"])
    assign_agent(item=submitted.items.first(), agent=staff["park_agent"], by=staff["park_coord"])
    client.force_login(staff["park_agent"])
    assert client.get(url).status_code == 200  # once assigned, the agent sees it


@pytest.mark.django_db
def test_wrong_roles_get_nothing(client, submitted, staff, rep):
    pages = {
        reverse("cases:dispatch"): [rep, staff["park_agent"], staff["clerk"]],
        reverse("cases:worklist"): [rep, staff["park_coord"], staff["clerk"]],
        reverse("cases:window_request_create"): [rep, staff["park_coord"], staff["park_agent"]],
        reverse("cases:request_create"): [staff["park_coord"], staff["clerk"]],
    }
    for url, users in pages.items():
        for user in users:
            client.force_login(user)
            assert client.get(url).status_code == 403, (url, user)
    client.force_login(staff["zjw_coord"])  # a coordinator, but not of this request
    client.post(reverse("cases:request_accept", args=[submitted.pk]))
    client.force_login(rep)
    client.post(reverse("cases:request_accept", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.state == ServiceRequest.State.SUBMITTED


@pytest.mark.django_db
def test_documents_go_only_to_people_who_see_the_request(client, park_project, rep, items, staff):
    request = submit_request(
        project=park_project, data=data(items, documents=[pdf()]), by=rep, channel="online"
    )
    doc = request.documents.get()
    url = reverse("cases:document_download", args=[request.pk, doc.pk])
    client.force_login(staff["park_coord"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    read = AuditEntry.objects.filter(verb=AuditVerb.DOCUMENT_DOWNLOADED).get()  # a read of the file, recorded
    assert (read.actor, read.target_id, read.jurisdiction_code) == (
        staff["park_coord"],
        str(doc.pk),
        "500242",
    )
    client.force_login(staff["zjw_coord"])
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(verb=AuditVerb.DOCUMENT_DOWNLOADED).count() == 1  # refused: not a read
    outsider = UserFactory.create()
    ApplicantRepresentative.objects.create(
        applicant=ProjectFactory.create(applicant__jurisdiction=park_project.jurisdiction).applicant,
        user=outsider,
    )
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_pages_use_a_bounded_number_of_queries(client, youyang, rep, items, staff):
    def make_requests(n):
        for i in range(n):
            project = ProjectFactory.create(
                applicant__jurisdiction=youyang, location=youyang.units.get(code="gyyq")
            )
            ApplicantRepresentative.objects.get_or_create(applicant=project.applicant, user=rep)
            request = submit_request(project=project, data=data(items), by=rep, channel="online")
            if i % 2:  # half stay in the coordinator's queue
                continue
            accept_request(request=request, by=staff["park_coord"])
            for item in list(request.items.all())[:2]:  # one item left to assign: still in the queue
                assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])

    pages = [
        (staff["park_coord"], reverse("cases:dispatch")),
        (staff["park_agent"], reverse("cases:worklist")),
        (rep, reverse("cases:request_list")),
        (staff["supervisor"], reverse("cases:request_list")),
    ]
    make_requests(2)
    few = {}
    for user, url in pages:
        client.force_login(user)
        few[url, user.pk] = count_queries(client, url)
    make_requests(6)
    for user, url in pages:
        client.force_login(user)
        assert count_queries(client, url) == few[url, user.pk], url
    client.force_login(staff["park_coord"])
    assert client.get(reverse("cases:dispatch")).content.decode().count("BDB500242-") == 8


@pytest.mark.django_db
def test_a_step_that_is_someone_elses_is_403_with_the_reason(client, submitted, staff):
    """The coordinator sees the item but filing is the agent's: a forged post is refused with 403 and says
    why in Chinese; nothing changes."""
    accept_request(request=submitted, by=staff["park_coord"])
    item = submitted.items.first()
    assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    client.force_login(staff["park_coord"])
    response = client.post(
        reverse("cases:item_step", args=[submitted.pk, item.pk, "start_collecting"]),
        {"version": item.version},
    )
    assert response.status_code == 403
    assert "您无权登记该事项的这一步骤" in response.content.decode()
    item.refresh_from_db()
    assert item.state == "planned"
