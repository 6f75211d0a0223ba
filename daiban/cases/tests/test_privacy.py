"""个人信息保护: an enterprise contact's mobile number is masked on the pages that list or show it, and
shown in full only on request to someone who may see the request — each such read recorded."""

import pytest
from django.urls import reverse

from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.common.privacy import mask_mobile, mask_resident_id


def test_masks():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("") == ""
    assert mask_mobile("023-1234") == "******34"
    assert mask_resident_id("50024219900101123X") == "500242********123X"


@pytest.mark.django_db
def test_pages_mask_the_contact_mobile_and_a_reveal_is_recorded(client, dispatched, staff):
    mobile = dispatched.applicant.contact_mobile
    assert len(mobile) == 11
    agent = staff["park_agent"]
    client.force_login(agent)
    for url in (reverse("cases:worklist"), reverse("cases:request_detail", args=[dispatched.pk])):
        page = client.get(url).content.decode()
        assert mask_mobile(mobile) in page, url
        assert mobile not in page, url
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSONAL_DATA_VIEWED).exists()

    response = client.get(reverse("cases:request_contact", args=[dispatched.pk]), REMOTE_ADDR="10.2.3.4")
    assert response.status_code == 200 and mobile in response.content.decode()
    read = AuditEntry.objects.get(verb=AuditVerb.PERSONAL_DATA_VIEWED)
    assert (read.actor, read.target_type, read.from_address) == (agent, "projects.applicant", "10.2.3.4")
    assert read.after == {"field": "contact_mobile"} and read.jurisdiction_code == "500242"

    client.force_login(staff["zjw_coord"])  # does not see the request: neither the number nor a record
    assert client.get(reverse("cases:request_contact", args=[dispatched.pk])).status_code == 404
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSONAL_DATA_VIEWED).count() == 1
