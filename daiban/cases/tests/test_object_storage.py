"""Uploads on an S3-compatible object store shared by several machines (issue #18), against a real S3 server
this run starts (moto in server mode, daiban/common/tests/s3.py): a submission writes its documents as
objects, the authorised view streams them back, a rolled-back submission leaves no object, and readiness
fails when the store cannot be written."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from daiban.cases.models import RequestDocument
from daiban.cases.services import submit_request
from daiban.common.tests.faults import inserts_refused

from .conftest import PDF, data, pdf


@pytest.mark.django_db
def test_a_submitted_document_is_an_object_in_the_bucket_and_downloads_through_the_view(
    client, s3_server, s3_bucket, park_project, rep, items, staff
):
    request = submit_request(
        project=park_project, data=data(items, documents=[pdf()]), by=rep, channel="online"
    )
    document = request.documents.get()
    assert s3_server.keys(s3_bucket) == [document.file.name]
    body = s3_server.client().get_object(Bucket=s3_bucket, Key=document.file.name)["Body"].read()
    assert body == PDF

    url = reverse("cases:document_download", args=[request.pk, document.pk])
    client.force_login(staff["park_coord"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(staff["zjw_coord"])
    assert client.get(url).status_code == 404  # the object store changes nothing about who may read


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_rolls_back_leaves_no_object(s3_server, s3_bucket, park_project, rep, items):
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
    assert s3_server.keys(s3_bucket) == []


@pytest.mark.django_db
def test_readiness_writes_to_the_bucket_and_fails_when_it_is_gone(client, s3_server, s3_bucket, settings):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert s3_server.keys(s3_bucket) == []  # the probe's object is removed again

    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_settings("no-such-bucket")}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]
    assert "NoSuchBucket" in response.json()["checks"]["storage"]
