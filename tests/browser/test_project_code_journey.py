"""Issue #16 journey: a project still to be filed has no project code; its request starts with the 备案
item, and the 发改委 reviewer who records the filing enters the code the platform issued."""

import pytest
from django.utils import timezone

from daiban.cases.models import CaseItem
from daiban.cases.services import accept_request, assign_agent
from daiban.organizations.models import Role, Unit
from daiban.organizations.services import create_person, grant_role
from daiban.portal.demo import DEMO_PASSWORD
from daiban.projects.models import Project

from .demo_park import demo_park, park_request
from .test_proxy_chain_journey import sign_in, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = f"{timezone.localdate().year}-500242-47-03-008801"


def test_the_filing_reviewer_enters_the_issued_code(live_server, phone, desktop, shoot):
    park = demo_park()
    Project.objects.filter(pk=park.project.pk).update(project_code="")
    fgw = Unit.objects.get(jurisdiction=park.youyang, code="fgw")
    reviewer = create_person(
        username="yy-reviewer-fgw", full_name="投资科审核员", password=DEMO_PASSWORD, by=None
    )
    grant_role(
        user=reviewer,
        role=Role.SECTION_REVIEWER,
        jurisdiction=park.youyang,
        unit=fgw,
        section=fgw.sections.get(code="tzk"),
        by=None,
    )
    park.project.refresh_from_db()
    request = park_request(park, ["project-filing"])
    accept_request(request=request, by=park.coordinator)
    filing = request.items.get()
    assign_agent(item=filing, agent=park.agent, by=park.coordinator)
    base = live_server.url
    item_url = f"{base}/requests/{request.pk}/items/{filing.pk}/"

    sign_in(phone, base, "yy-agent-park")
    phone.goto(item_url)
    step(phone, "start_collecting")
    phone.click("button[name=all_received]")  # 全部收齐
    phone.wait_for_selector(".messages")
    step(phone, "mark_ready")
    phone.fill("input[name=external_ref]", "500242-FG-000001")
    step(phone, "file")

    sign_in(desktop, base, "yy-reviewer-fgw")
    desktop.goto(item_url)
    assert desktop.locator("input[name=project_code]").count() == 1
    desktop.fill("input[name=result_number]", "渝发改备〔2026〕1号")
    desktop.once("dialog", lambda dialog: dialog.accept())  # 批准 asks for a confirmation first
    step(desktop, "approve")  # without the code: refused, nothing changes
    assert CaseItem.objects.get(pk=filing.pk).state == "filed"
    assert "项目代码" in desktop.locator(".messages").inner_text()
    shoot(desktop, "project-code-01-required")
    desktop.goto(item_url)
    desktop.fill("input[name=project_code]", CODE)
    desktop.fill("input[name=result_number]", "渝发改备〔2026〕1号")
    desktop.once("dialog", lambda dialog: dialog.accept())
    step(desktop, "approve")
    assert CaseItem.objects.get(pk=filing.pk).state == "approved"
    assert Project.objects.get(pk=park.project.pk).project_code == CODE
    shoot(desktop, "project-code-02-recorded")

    sign_in(phone, base, park.applicant.username)
    phone.goto(f"{base}/requests/{request.pk}/")
    assert CODE in phone.content()
    shoot(phone, "project-code-03-applicant-sees-it")
