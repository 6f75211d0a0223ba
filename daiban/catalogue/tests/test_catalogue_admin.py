"""Administrators never edit a published version: they draft, read the diff, and publish (ADR 0015)."""

import pytest
from django.urls import reverse

from daiban.catalogue.models import ApprovalItem, CatalogueVersion, Material
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role


@pytest.fixture
def admin_client(client, youyang, make_staff):
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    return client


def _permit(version):
    return ApprovalItem.objects.get(version=version, code="construction-permit")


@pytest.mark.django_db
def test_a_published_item_cannot_be_edited_or_deleted(admin_client, youyang):
    permit = _permit(CatalogueVersion.objects.get(jurisdiction=youyang))
    url = reverse("admin:catalogue_approvalitem_change", args=[permit.pk])
    assert admin_client.get(url).status_code == 200  # readable
    response = admin_client.post(url, {"name": "改名", "time_limit_days": 1})
    assert response.status_code == 403
    delete = reverse("admin:catalogue_approvalitem_delete", args=[permit.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    permit.refresh_from_db()
    assert (permit.name, permit.time_limit_days) == ("建筑工程施工许可证核发", 3)


@pytest.mark.django_db
def test_draft_then_publish_with_the_diff_shown_and_audited(admin_client, youyang):
    published = CatalogueVersion.objects.get(jurisdiction=youyang)
    changelist = reverse("admin:catalogue_catalogueversion_changelist")
    admin_client.post(changelist, {"action": "start_draft_action", "_selected_action": [published.pk]})
    draft = CatalogueVersion.objects.get(jurisdiction=youyang, status="draft")
    assert (draft.version, draft.based_on, draft.items.count()) == ("2026.2-draft1", published, 21)

    permit = _permit(draft)
    page = admin_client.get(reverse("admin:catalogue_approvalitem_change", args=[permit.pk]))
    assert b'name="_save"' in page.content  # a draft's items are editable
    ApprovalItem.objects.filter(pk=permit.pk).update(time_limit_days=2)
    Material.objects.filter(item=permit, name="建设资金已落实承诺书").delete()

    confirm = admin_client.post(changelist, {"action": "publish_action", "_selected_action": [draft.pk]})
    text = confirm.content.decode()
    assert "~ construction-permit time_limit_days: 3 → 2" in text
    assert "~ construction-permit materials: - 建设资金已落实承诺书" in text
    draft.refresh_from_db()
    assert draft.status == "draft"  # nothing happens before the confirmation

    admin_client.post(
        changelist, {"action": "publish_action", "_selected_action": [draft.pk], "confirm": "yes"}
    )
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == ("in_force", "retired")
    assert _permit(draft).is_active and not _permit(published).is_active
    assert _permit(published).time_limit_days == 3
    entry = AuditEntry.objects.get(verb="catalogue.published", target_id=str(draft.pk))
    assert "~ construction-permit time_limit_days: 3 → 2" in (entry.after or {})["changes"]
    assert entry.before == {"version": "2026.2"}


@pytest.mark.django_db
def test_publishing_checks_the_draft_like_a_file(admin_client, youyang):
    published = CatalogueVersion.objects.get(jurisdiction=youyang)
    changelist = reverse("admin:catalogue_catalogueversion_changelist")
    admin_client.post(changelist, {"action": "start_draft_action", "_selected_action": [published.pk]})
    draft = CatalogueVersion.objects.get(jurisdiction=youyang, status="draft")
    Material.objects.filter(item=_permit(draft)).delete()
    response = admin_client.post(
        changelist,
        {"action": "publish_action", "_selected_action": [draft.pk], "confirm": "yes"},
        follow=True,
    )
    assert "construction-permit: materials" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert published.items.filter(is_active=True).count() == 21
