"""Project types and 告知承诺制 on the application side (issue #14): a project type preselects items on the
form, the checklist of a commitment item has the letter instead of the materials it replaces."""

from django.urls import reverse

from daiban.cases.models import ItemMaterial
from daiban.cases.services import RequestData, submit_request
from daiban.catalogue.models import ApprovalItem, ProjectTemplate


def _current(jurisdiction):
    return ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True)


def test_a_commitment_item_checklist_has_the_letter_instead_of_the_replaced_materials(
    youyang, yy_project, applicant_user
):
    review = _current(youyang).get(code="construction-drawing-review")
    assert review.by_commitment
    replaced = set(review.materials.filter(replaced_by_commitment=True).values_list("name", flat=True))
    assert replaced == {"勘察设计单位资质证书", "注册执业人员资格证书"}
    request = submit_request(
        project=yy_project,
        data=RequestData(
            mode="proxy", approval_items=[review], consent=True, free_of_charge_acknowledged=True
        ),
        by=applicant_user,
        channel="online",
    )
    names = set(
        ItemMaterial.objects.filter(case_item__request=request).values_list("material__name", flat=True)
    )
    assert "施工图设计文件审查告知承诺书" in names and not names & replaced


def test_a_project_type_preselects_items_on_the_application_form(youyang, applicant_user, client):
    client.force_login(applicant_user)
    url = reverse("cases:request_create")
    template = ProjectTemplate.objects.get(
        version__jurisdiction=youyang, version__status="in_force", code="small-low-risk"
    )
    page = client.get(url, {"template": template.pk}).content.decode()
    ticked = {i.pk for i in _current(youyang) if f'value="{i.pk}" checked' in page}
    assert ticked == {i.pk for i in template.items.all()}
    plain = client.get(url).content.decode()
    assert " checked" not in plain.split('name="approval_items"', 1)[1].split("</fieldset>", 1)[0]
    assert client.get(url, {"template": 999999}).status_code == 400
    assert client.get(url, {"template": "abc"}).status_code == 400
