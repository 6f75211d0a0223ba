"""A supervisor's first sign-in: password, then the enrolment page (QR code and key), a code from the
authenticator app — computed here from the key the page shows, as the app would — and the recovery codes;
the next sign-in asks for a code."""

import base64
import time

import pytest
from django_otp.oath import hotp

from daiban.organizations.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(key: bytes, steps_ahead: int = 0) -> str:
    return f"{hotp(key, int(time.time()) // 30 + steps_ahead):06d}"


def test_a_supervisor_enrols_and_then_signs_in_with_a_code(live_server, desktop, shoot, youyang, make_staff):
    supervisor = make_staff(Role.SUPERVISOR, youyang, "gaiban")
    base = live_server.url
    desktop.goto(f"{base}/accounts/login/")
    desktop.fill("input[name=username]", supervisor.username)
    desktop.fill("input[name=password]", "pw-for-tests-1")
    desktop.click("main button[type=submit]")
    desktop.wait_for_url(f"{base}/accounts/second-factor/enrol/**")
    assert desktop.locator("figure.qr svg").count() == 1
    assert "设置双因素认证" in desktop.locator("h1").inner_text()
    shoot(desktop, "second-factor-enrol")

    secret = desktop.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    desktop.fill("input[name=code]", code_for(key))
    desktop.click("main button[type=submit]")
    desktop.wait_for_selector("ul.recovery-codes")
    assert desktop.locator("ul.recovery-codes li").count() == 10
    shoot(desktop, "second-factor-recovery-codes")
    desktop.click("text=继续")
    desktop.wait_for_url(f"{base}/home/")

    desktop.click("header button:has-text('退出')")
    desktop.goto(f"{base}/accounts/login/")
    desktop.fill("input[name=username]", supervisor.username)
    desktop.fill("input[name=password]", "pw-for-tests-1")
    desktop.click("main button[type=submit]")
    desktop.wait_for_url(f"{base}/accounts/second-factor/?**")
    shoot(desktop, "second-factor-verify")
    desktop.fill("input[name=code]", "000000" if code_for(key, 1) != "000000" else "111111")
    desktop.click("main button[type=submit]")
    assert "验证码不正确" in desktop.content()
    time.sleep(1.1)  # django-otp makes the next try wait after a failure
    desktop.fill("input[name=code]", code_for(key, 1))  # the code just used is refused: the next one
    desktop.click("main button[type=submit]")
    desktop.wait_for_url(f"{base}/home/")
    desktop.goto(f"{base}/oversight/dashboard/")
    assert "/accounts/" not in desktop.url
