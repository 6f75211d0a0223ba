"""Issue #15, dead end 3: a walk-in enterprise gets online access. The clerk (desktop) opens its account
from the window registration; the activation code arrives by SMS (read here from the outbox, as the
phone would show it); the applicant (phone) activates the account, signs in with its mobile number and
sees its request."""

import re
from decimal import Decimal

import pytest

from daiban.cases.services import RequestData, register_window_request
from daiban.catalogue.models import ApprovalItem
from daiban.notifications.models import OutboundMessage
from daiban.organizations.models import Unit, User, Window
from daiban.projects.services import ApplicantData, ProjectData
from daiban.projects.tests.factories import valid_uscc

from .demo_park import demo_park
from .signin import pass_second_factor
from .test_feedback_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13508347788"
PASSWORD = "Huatian-Gongmi-2026"


def window_registration():  # type: ignore[no-untyped-def]
    park = demo_park()
    window = Window.objects.filter(service_centre__jurisdiction=park.youyang).order_by("id").first()
    assert window is not None
    return register_window_request(
        window=window,
        applicant_data=ApplicantData(
            name="酉阳县花田贡米有限公司", uscc=valid_uscc(7788), contact_name="田秀英", contact_mobile=MOBILE
        ),
        project_data=ProjectData(
            name="贡米仓储加工项目",
            project_code="",
            kind="new",
            location=Unit.objects.get(jurisdiction=park.youyang, name="花田乡"),
            investment_amount=Decimal("900"),
            land_area=Decimal("6000"),
            floor_area=Decimal("4200"),
        ),
        data=RequestData(
            mode="proxy",
            approval_items=list(
                ApprovalItem.objects.filter(jurisdiction=park.youyang, code="project-filing")
            ),
            consent=True,
            free_of_charge_acknowledged=True,
        ),
        by=User.objects.get(username="yy-clerk"),
    )


def test_window_opens_the_account_and_the_applicant_activates_and_signs_in(
    live_server, desktop, phone, shoot
):
    request = window_registration()
    base = live_server.url

    # The clerk opens the online account from the window registration.
    sign_in(desktop, base, "yy-clerk")
    desktop.goto(f"{base}/requests/{request.pk}/")
    desktop.click("text=网上账户")
    desktop.wait_for_selector("text=窗口企业的网上账户")
    shoot(desktop, "walk-in-1-open-account")
    desktop.click("text=开通网上账户并发送激活码")
    desktop.wait_for_selector("text=激活码已通过短信发送至")
    shoot(desktop, "walk-in-2-account-opened")

    # The SMS the applicant's phone receives.
    sms = OutboundMessage.objects.get(channel="sms", address=MOBILE)
    found = re.search(r"\b(\d{6})\b", sms.notification.body)
    assert found, sms.notification.body

    # The applicant activates the account on its phone, from the sign-in page.
    phone.goto(f"{base}/accounts/login/")
    phone.click("text=激活网上账户")
    phone.fill("input[name=mobile]", MOBILE)
    phone.fill("input[name=code]", found.group(1))
    phone.fill("input[name=new_password1]", PASSWORD)
    phone.fill("input[name=new_password2]", PASSWORD)
    shoot(phone, "walk-in-3-activate")
    phone.click("main button[type=submit]")
    phone.wait_for_selector("text=账户已激活")
    shoot(phone, "walk-in-4-activated")

    # It signs in with its mobile number and finds its request.
    phone.fill("input[name=username]", MOBILE)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("main button[type=submit]")
    pass_second_factor(phone, MOBILE)
    phone.wait_for_url(f"{base}/home/")
    phone.goto(f"{base}/requests/{request.pk}/")
    assert request.reference in phone.inner_text("main")
    shoot(phone, "walk-in-5-signed-in-request")

    # A second use of the code is refused, the same as a wrong one.
    phone.context.clear_cookies()
    phone.goto(f"{base}/accounts/activate/")
    phone.fill("input[name=mobile]", MOBILE)
    phone.fill("input[name=code]", found.group(1))
    phone.fill("input[name=new_password1]", "Another-Pass-2027")
    phone.fill("input[name=new_password2]", "Another-Pass-2027")
    phone.click("main button[type=submit]")
    phone.wait_for_selector("text=验证码错误、已过期或已使用")
