from pathlib import PurePath

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from daiban.cases.models import CaseItem, RequestDocument, ServiceRequest, TimelineEntry
from daiban.cases.services import submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.common.models import AuditEntry
from daiban.common.tests.faults import inserts_refused
from daiban.notifications.models import Notification
from daiban.organizations.tests.factories import UserFactory

from .conftest import PNG, data, pdf


@pytest.mark.django_db
def test_park_project_routes_every_item_to_the_park(submitted, park_project, staff, rep):
    assert submitted.state == ServiceRequest.State.SUBMITTED
    assert submitted.locality == park_project.location
    assert {i.responsible_unit.code for i in submitted.items.all()} == {"gyyq"}
    assert TimelineEntry.objects.get(request=submitted).verb == "request.submitted"
    assert AuditEntry.objects.filter(verb="request.submitted", target_id=str(submitted.pk)).exists()
    notified = set(
        Notification.objects.filter(verb="request.submitted").values_list("recipient_id", flat=True)
    )
    assert notified == {staff["park_coord"].pk, rep.pk}
    assert submitted.reference.startswith("BDB500242-")


@pytest.mark.django_db
def test_other_projects_go_to_the_department_with_the_township(town_project, rep, items, staff):
    request = submit_request(
        project=town_project, data=data(items, mode="assist", consent=False), by=rep, channel="online"
    )
    units = {
        i.approval_item.code: i.responsible_unit.code
        for i in request.items.select_related("approval_item", "responsible_unit")
    }
    assert units == {"project-filing": "fgw", "land-use-planning-permit": "gzj", "construction-permit": "zjw"}
    notified = set(
        Notification.objects.filter(verb="request.submitted").values_list("recipient_id", flat=True)
    )
    assert {staff["zjw_coord"].pk, staff["town_coord"].pk, rep.pk} <= notified
    assert staff["park_coord"].pk not in notified
    assert staff["other_town_coord"].pk not in notified


@pytest.mark.django_db
def test_documents_are_checked_by_content_and_stored_under_new_names(park_project, rep, items, staff):
    request = submit_request(
        project=park_project, data=data(items, documents=[pdf()]), by=rep, channel="online"
    )
    document = request.documents.get()
    assert document.original_name == "营业执照.pdf"
    assert document.content_type == "application/pdf"
    assert "营业执照" not in document.file.name
    assert document.file.name.endswith(".pdf")


def nothing_saved():
    assert not ServiceRequest.objects.exists()
    assert not CaseItem.objects.exists()
    assert not RequestDocument.objects.exists()
    assert not Notification.objects.exists()
    assert not TimelineEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"approval_items": []}, "approval_items", "至少选择一个"),
        ({"consent": False}, "consent", "委托"),
        ({"free_of_charge_acknowledged": False}, "free_of_charge_acknowledged", "免费"),
        ({"mode": "magic"}, "mode", "帮办或代办"),
        ({"documents": [pdf("scan.pdf", b"just text, not a pdf")]}, "documents", "按文件内容"),
        ({"documents": [pdf("big.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))]}, "documents", "20 MB"),
        ({"documents": [pdf("empty.pdf", b"")]}, "documents", "空文件"),
    ],
)
def test_bad_requests_save_nothing(park_project, rep, items, staff, overrides, field, message):
    Notification.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        submit_request(project=park_project, data=data(items, **overrides), by=rep, channel="online")
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    nothing_saved()


@pytest.mark.django_db
def test_a_png_named_pdf_is_accepted_as_what_it_is(park_project, rep, items, staff):
    request = submit_request(
        project=park_project, data=data(items, documents=[pdf("photo.pdf", PNG)]), by=rep, channel="online"
    )
    assert request.documents.get().content_type == "image/png"


@pytest.mark.django_db
def test_items_of_another_jurisdiction_are_refused(park_project, rep, items, staff, dazu):
    foreign = ApprovalItem.objects.get(jurisdiction=dazu, code="construction-permit")
    with pytest.raises(ValidationError) as exc:
        submit_request(project=park_project, data=data([*items, foreign]), by=rep, channel="online")
    assert "不在项目所在地办理" in exc.value.message_dict["approval_items"][0]
    nothing_saved()


@pytest.mark.django_db
def test_a_project_that_is_not_yours_is_refused(park_project, items, staff):
    with pytest.raises(ValidationError) as exc:
        submit_request(project=park_project, data=data(items), by=UserFactory.create(), channel="online")
    assert "本企业" in exc.value.messages[0]
    nothing_saved()


@pytest.mark.django_db
def test_a_duplicate_open_request_for_an_item_is_refused(submitted, park_project, rep, items):
    count = ServiceRequest.objects.count()
    with pytest.raises(ValidationError) as exc:
        submit_request(project=park_project, data=data(items[:1]), by=rep, channel="online")
    assert "已有未办结的申请" in exc.value.message_dict["approval_items"][0]
    assert ServiceRequest.objects.count() == count
    submitted.state = ServiceRequest.State.WITHDRAWN
    submitted.save()
    submit_request(
        project=park_project, data=data(items[:1]), by=rep, channel="online"
    )  # a closed one does not block


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_rolls_back_leaves_no_uploaded_file(park_project, rep, items, media):
    """The documents are written, then a real database error (while notifying) rolls the whole submission
    back: no request, no document row, and no file."""
    with (
        inserts_refused("notifications_notification", "verb", "request.submitted"),
        pytest.raises(DatabaseError),
    ):
        submit_request(
            project=park_project,
            data=data(items, documents=[pdf(), pdf("规划.pdf")]),
            by=rep,
            channel="online",
        )
    assert not RequestDocument.objects.exists()
    assert stored_files(media) == []
    request = submit_request(
        project=park_project, data=data(items, documents=[pdf()]), by=rep, channel="online"
    )
    [path] = stored_files(media)
    assert path.name == PurePath(request.documents.get().file.name).name


@pytest.mark.django_db
def test_request_numbers_count_per_jurisdiction_and_year(clock, park_project, rep, items, dz_project, dazu):
    from daiban.catalogue.selectors import published_items
    from daiban.projects.models import ApplicantRepresentative
    from daiban.projects.tests.factories import ProjectFactory

    def submit(project, chosen):
        return submit_request(project=project, data=data(chosen), by=rep, channel="online")

    first = submit(park_project, items[:1])
    with pytest.raises(ValidationError):  # refused: an open request already covers it
        submit(park_project, items[:1])
    second = submit(ProjectFactory.create(applicant=park_project.applicant), items[:1])
    ApplicantRepresentative.objects.create(applicant=dz_project.applicant, user=rep)
    dz_first = submit(dz_project, list(published_items(dazu)[:1]))
    assert [first.reference, second.reference, dz_first.reference] == [
        "BDB500242-2026-000001",
        "BDB500242-2026-000002",  # the refused submission gave its number back
        "BDB500111-2026-000001",  # 大足 counts its own requests
    ]
    clock(2027, 1, 4)
    next_year = submit(ProjectFactory.create(applicant=park_project.applicant), items[:1])
    assert next_year.reference == "BDB500242-2027-000001"
