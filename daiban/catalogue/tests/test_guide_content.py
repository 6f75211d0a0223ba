import datetime as dt

import pytest
from django.urls import reverse

from daiban.catalogue.models import ApprovalItem, FaqEntry, PolicyDocument
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role


@pytest.fixture
def permit(youyang):
    return ApprovalItem.objects.get(jurisdiction=youyang, code="construction-permit")


def policy_form(jurisdiction, items, **changes):
    values = {
        "jurisdiction": jurisdiction.pk,
        "title": "酉阳县工业园区项目城市基础设施配套费减免办法",
        "issuer": "酉阳县人民政府",
        "document_number": "酉阳府发〔2025〕12号",
        "issued_on": "2025-03-01",
        "category": "tax_fee",
        "summary": "园区内工业项目免缴城市基础设施配套费。",
        "body": "",
        "approval_items": [i.pk for i in items],
        "is_published": "on",
    }
    return values | changes


@pytest.mark.django_db
def test_administrator_publishes_a_policy_linked_to_items(client, youyang, dazu, make_staff, permit):
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    url = reverse("admin:catalogue_policydocument_add")
    foreign = ApprovalItem.objects.get(jurisdiction=dazu, code="construction-permit")
    response = client.post(url, policy_form(youyang, [permit, foreign]))
    assert response.status_code == 200 and not PolicyDocument.objects.exists()
    assert client.post(url, policy_form(youyang, [permit])).status_code == 302
    policy = PolicyDocument.objects.get()
    assert list(policy.approval_items.all()) == [permit]
    assert AuditEntry.objects.filter(verb="policydocument.added_in_admin").exists()
    # The item's public guide links it, the policy page shows it, and the list filters by category.
    client.logout()
    guide = client.get(
        reverse("catalogue:item_detail", args=["500242", "construction-permit"])
    ).content.decode()
    assert policy.title in guide
    assert "免缴" in client.get(reverse("catalogue:policy_detail", args=[policy.pk])).content.decode()
    assert (
        policy.title
        in client.get(
            reverse("catalogue:policy_list"), {"j": "500242", "category": "tax_fee"}
        ).content.decode()
    )
    assert (
        policy.title
        not in client.get(
            reverse("catalogue:policy_list"), {"j": "500242", "category": "local"}
        ).content.decode()
    )
    assert policy.title not in client.get(reverse("catalogue:policy_list"), {"j": "500111"}).content.decode()


@pytest.mark.django_db
def test_unpublished_policies_and_faq_stay_hidden(client, youyang, make_staff, permit):
    staff = make_staff(Role.ADMINISTRATOR, youyang)
    draft = PolicyDocument.objects.create(
        jurisdiction=youyang,
        title="草稿政策",
        issuer="县政府",
        issued_on=dt.date(2025, 1, 1),
        category="local",
        summary="未发布",
    )
    assert client.get(reverse("catalogue:policy_detail", args=[draft.pk])).status_code == 404
    shown = FaqEntry.objects.create(
        jurisdiction=youyang,
        question="施工许可需要多少个工作日？",
        answer="承诺3个工作日。",
        published_by=staff,
    )
    shown.approval_items.set([permit])
    FaqEntry.objects.create(
        jurisdiction=youyang, question="撤下的问题", answer="不再适用", published_by=staff, is_published=False
    )
    page = client.get(reverse("catalogue:faq"), {"j": "500242"}).content.decode()
    assert "施工许可需要多少个工作日" in page and "撤下的问题" not in page
    assert (
        "施工许可需要多少个工作日"
        not in client.get(reverse("catalogue:faq"), {"j": "500242", "q": "环评"}).content.decode()
    )
    guide = client.get(
        reverse("catalogue:item_detail", args=["500242", "construction-permit"])
    ).content.decode()
    assert "承诺3个工作日" in guide and "草稿政策" not in guide


@pytest.mark.django_db
def test_other_jurisdictions_administrator_cannot_edit(client, youyang, dazu, make_staff, permit):
    policy = PolicyDocument.objects.create(
        jurisdiction=youyang,
        title="酉阳政策",
        issuer="县政府",
        issued_on=dt.date(2025, 1, 1),
        category="local",
        summary="摘要",
        is_published=True,
    )
    client.force_login(make_staff(Role.ADMINISTRATOR, dazu))
    assert client.get(reverse("admin:catalogue_policydocument_change", args=[policy.pk])).status_code == 302
    assert (
        client.post(reverse("admin:catalogue_policydocument_add"), policy_form(youyang, [permit])).status_code
        == 200
    )
    assert PolicyDocument.objects.count() == 1
