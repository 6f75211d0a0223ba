"""Browser journeys for the foundation: every role signs in and reaches its home page; an enterprise
registers (after a refused bad code) and records its project, on a phone-sized screen."""

import pytest

from daiban.portal.demo import DEMO_PASSWORD, load_demo
from daiban.projects.models import Applicant, Project
from daiban.projects.tests.factories import valid_uscc

from .signin import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_LOGINS = {
    "yy-clerk": "窗口工作人员",
    "yy-coord-park": "统筹协调人",
    "yy-agent": "帮代办专员",
    "yy-reviewer": "职能科室审批人员",
    "yy-hall": "大厅管理人员",
    "yy-supervisor": "监督管理人员",
    "yy-admin": "系统管理员",
    "dz-supervisor": "监督管理人员",
    "city-supervisor": "监督管理人员",
    "yy-applicant": "项目单位",
}


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}/home/")


def test_every_role_reaches_its_home_page(live_server, desktop, shoot):
    load_demo()
    for username, label in ROLE_LOGINS.items():
        desktop.context.clear_cookies()
        sign_in(desktop, live_server.url, username)
        card = desktop.locator(".role-card").first
        assert label in card.inner_text()
        assert "欢迎" in desktop.locator("h1").inner_text()
        shoot(desktop, f"home-{username}")
    desktop.goto(f"{live_server.url}/projects/")
    assert "没有权限" in desktop.content() or "403" in desktop.content()


def test_enterprise_registers_and_records_a_project_on_a_phone(live_server, phone, shoot):
    load_demo()
    base = live_server.url
    phone.goto(base)
    shoot(phone, "phone-01-landing")
    phone.click("text=企业注册")
    phone.select_option("select[name=jurisdiction]", label="酉阳土家族苗族自治县")
    phone.fill("input[name=name]", "重庆武陵山茶业有限公司")
    phone.fill("input[name=uscc]", "91500242MA60000A0X")  # wrong check character
    phone.fill("input[name=contact_name]", "彭晓红")
    phone.fill("input[name=contact_mobile]", "13908340123")
    phone.fill("input[name=full_name]", "彭晓红")
    phone.fill("input[name=username]", "wulingtea")
    phone.fill("input[name=password1]", "Tea-garden-2026")
    phone.fill("input[name=password2]", "Tea-garden-2026")
    phone.check("input[name=consent]")
    phone.click("main button[type=submit]")
    assert "统一社会信用代码校验位不正确" in phone.locator(".field.has-error").inner_text()
    shoot(phone, "phone-02-bad-uscc")
    assert not Applicant.objects.filter(name="重庆武陵山茶业有限公司").exists()

    phone.fill("input[name=uscc]", valid_uscc(777))
    phone.fill("input[name=password1]", "Tea-garden-2026")
    phone.fill("input[name=password2]", "Tea-garden-2026")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{base}/enterprise/")
    assert "重庆武陵山茶业有限公司" in phone.content()
    shoot(phone, "phone-03-enterprise")

    phone.click("text=登记项目")
    phone.fill("input[name=name]", "武陵山茶叶精深加工项目")
    phone.fill("input[name=project_code]", "2026-500242-13-01-000555")  # 审批 type: not social investment
    phone.select_option("select[name=kind]", label="新建")
    phone.select_option("select[name=location]", label="园区管委会 · 酉阳县农业园区管理委员会")
    phone.fill("input[name=investment_amount]", "1800")
    phone.fill("input[name=land_area]", "15000")
    phone.fill("input[name=floor_area]", "9000")
    phone.click("main button[type=submit]")
    assert "02（核准）或03（备案）" in phone.locator(".field.has-error").inner_text()
    shoot(phone, "phone-04-bad-project-code")
    assert not Project.objects.filter(name="武陵山茶叶精深加工项目").exists()

    phone.fill("input[name=project_code]", "2026-500242-13-03-000555")
    phone.click("main button[type=submit]")
    phone.wait_for_selector("text=本项目位于园区内")
    assert "武陵山茶叶精深加工项目" in phone.locator("h1").inner_text()
    shoot(phone, "phone-05-project")
    project = Project.objects.get(name="武陵山茶叶精深加工项目")
    assert project.in_park
    assert project.applicant.name == "重庆武陵山茶业有限公司"
