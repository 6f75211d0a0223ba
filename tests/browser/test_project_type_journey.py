"""Issue #14 journey: an applicant starts from a project type, adjusts the preselected items and applies;
the 告知承诺制 item's checklist carries the commitment letter instead of the replaced certificates."""

import pytest

from daiban.cases.models import ItemMaterial, ServiceRequest
from daiban.catalogue.models import ApprovalItem, ProjectTemplate
from daiban.portal.demo import load_demo

from .menu import go_via_menu
from .test_intake_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_project_type_preselects_the_items_and_the_applicant_adjusts_them(live_server, desktop, shoot):
    load_demo()
    base = live_server.url
    template = ProjectTemplate.objects.get(
        version__jurisdiction__code="500242", version__status="in_force", code="small-low-risk"
    )
    items = {
        i.code: str(i.pk) for i in ApprovalItem.objects.filter(jurisdiction__code="500242", is_active=True)
    }
    sign_in(desktop, base, "yy-applicant")
    go_via_menu(desktop, "申请帮代办")
    desktop.click("text=小型低风险社会投资项目")
    desktop.wait_for_selector("text=请根据项目实际增减")
    ticked = desktop.locator("input[name=approval_items]:checked")
    assert sorted(ticked.evaluate_all("els => els.map(e => e.value)")) == sorted(
        str(i.pk) for i in template.items.all()
    )
    assert desktop.locator("text=告知承诺制").count() >= 1
    shoot(desktop, "project-type-01-preselected")
    desktop.uncheck(f"input[name=approval_items][value='{items['first-real-estate-registration']}']")
    desktop.check(f"input[name=approval_items][value='{items['eia-report-form']}']")
    desktop.check("input[name=mode][value=proxy]")
    desktop.check("input[name=consent]")
    desktop.check("input[name=free_of_charge_acknowledged]")
    desktop.click("main form.stacked button[type=submit]")
    desktop.wait_for_selector("text=待受理")
    request = ServiceRequest.objects.get(channel="online")
    chosen = set(request.items.values_list("approval_item__code", flat=True))
    expected = {i.code for i in template.items.all()} - {"first-real-estate-registration"} | {
        "eia-report-form"
    }
    assert chosen == expected
    lines = set(
        ItemMaterial.objects.filter(
            case_item__request=request, case_item__approval_item__code="construction-drawing-review"
        ).values_list("material__name", flat=True)
    )
    assert "施工图设计文件审查告知承诺书" in lines and "勘察设计单位资质证书" not in lines
    shoot(desktop, "project-type-02-submitted")
