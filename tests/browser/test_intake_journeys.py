"""Issue #4 journeys: an online 代办 application and a window application each reach an agent's worklist."""

import pytest

from daiban.cases.models import ServiceRequest
from daiban.catalogue.models import ApprovalItem
from daiban.organizations.models import User
from daiban.portal.demo import DEMO_PASSWORD, load_demo

from .menu import go_via_menu
from .signin import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def sign_in(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}/home/")


def accept_and_assign(page, base, request, coordinator, agent):  # type: ignore[no-untyped-def]
    sign_in(page, base, coordinator)
    page.goto(f"{base}/requests/dispatch/")
    page.click(f"text={request.reference}")
    page.click("button[name=accept]")
    page.wait_for_selector("text=已受理。请为每个事项分派帮代办专员")
    agent_pk = str(User.objects.get(username=agent).pk)
    for item in request.items.all():
        page.select_option(f"select[name=item{item.pk}-agent]", agent_pk)
        page.click(f"#item-{item.pk} form.assign button")
        page.wait_for_selector(f"#item-{item.pk} strong.agent")


def item_ids(codes):  # type: ignore[no-untyped-def]
    return [str(i.pk) for i in ApprovalItem.objects.filter(jurisdiction__code="500242", code__in=codes)]


def test_online_proxy_application_reaches_the_agent(live_server, desktop, phone, shoot, tmp_path):
    load_demo()
    base = live_server.url
    scan = tmp_path / "营业执照.pdf"
    scan.write_bytes(PDF)
    sign_in(desktop, base, "yy-applicant")
    go_via_menu(desktop, "申请帮代办")
    desktop.check("input[name=mode][value=proxy]")
    for pk in item_ids(["project-filing", "land-use-planning-permit", "construction-permit"]):
        desktop.check(f"input[name=approval_items][value='{pk}']")
    desktop.set_input_files("input[name=documents]", str(scan))
    desktop.check("input[name=consent]")
    desktop.check("input[name=free_of_charge_acknowledged]")
    shoot(desktop, "intake-01-online-form")
    desktop.click("main form.stacked button[type=submit]")
    desktop.wait_for_selector("text=待受理")
    request = ServiceRequest.objects.get(channel="online")
    assert request.items.count() == 3
    shoot(desktop, "intake-02-submitted")

    accept_and_assign(desktop, base, request, "yy-coord-park", "yy-agent-park")
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.DISPATCHED
    shoot(desktop, "intake-03-dispatched")

    sign_in(phone, base, "yy-agent-park")
    phone.goto(f"{base}/requests/worklist/")
    assert phone.locator("tr.work-item").count() == 3
    shoot(phone, "intake-04-agent-worklist-phone")
    phone.click("text=建筑工程施工许可证核发")
    phone.click("button[name=step][value=start_collecting]")
    phone.wait_for_selector("text=已登记：开始收集材料")
    assert "计时自受理申报时开始" in phone.content()
    shoot(phone, "intake-04b-agent-item-phone")

    sign_in(desktop, base, "yy-applicant")
    desktop.goto(f"{base}/requests/{request.pk}/")
    assert desktop.locator("strong.agent").count() == 3
    shoot(desktop, "intake-05-applicant-sees-agents")


def test_window_application_reaches_the_agent(live_server, desktop, phone, shoot):
    load_demo()
    base = live_server.url
    sign_in(desktop, base, "yy-clerk")
    go_via_menu(desktop, "窗口登记")
    desktop.fill("input[name=name]", "酉阳县龚滩古镇文旅有限公司")
    desktop.fill("input[name=uscc]", "91500242MA60000A0W")
    desktop.fill("input[name=contact_name]", "冉小川")
    desktop.fill("input[name=contact_mobile]", "13908341111")
    desktop.fill("input[name=project_name]", "龚滩游客集散中心新建项目")
    desktop.fill("input[name=project_code]", "2026-500242-78-03-000321")
    desktop.select_option("select[name=kind]", "new")
    desktop.select_option("select[name=location]", label="乡镇（街道） · 钟多街道")
    desktop.fill("input[name=investment_amount]", "4600")
    desktop.fill("input[name=land_area]", "21000")
    desktop.fill("input[name=floor_area]", "15000")
    desktop.check("input[name=mode][value=proxy]")
    for pk in item_ids(["fire-design-review", "construction-permit", "civil-air-defence"]):
        desktop.check(f"input[name=approval_items][value='{pk}']")
    desktop.check("input[name=consent]")
    desktop.check("input[name=free_of_charge_acknowledged]")
    desktop.click("main form.stacked button[type=submit]")
    desktop.wait_for_selector("text=待受理")
    request = ServiceRequest.objects.get(channel="window")
    shoot(desktop, "window-01-registered")
    desktop.click("a[href$='/window-receipt/']")  # the printable 受理回执 handed to the walk-in enterprise
    desktop.wait_for_selector("#window-receipt")
    assert request.reference in desktop.inner_text("#window-receipt")
    desktop.emulate_media(media="print")
    assert not desktop.locator("header.topbar").is_visible()  # printed without the site's menus
    shoot(desktop, "window-01b-receipt-print")
    desktop.emulate_media(media="screen")

    accept_and_assign(desktop, base, request, "yy-coord-zjw", "yy-agent")
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.DISPATCHED
    shoot(desktop, "window-02-dispatched")

    sign_in(phone, base, "yy-agent")
    phone.goto(f"{base}/requests/worklist/")
    assert phone.locator("tr.work-item").count() == 3
    shoot(phone, "window-03-agent-worklist-phone")
