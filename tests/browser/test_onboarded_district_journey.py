"""Issue #14 journey: a district onboarded from a data file shows its catalogue and its service zone
(address, hours, phone) on the public pages, on a phone, with no code for it."""

from pathlib import Path

import pytest

from daiban.onboarding.services import onboard_jurisdiction
from daiban.organizations.services import DATA_DIR, load_organisations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = Path(__file__).resolve().parents[2] / "daiban/onboarding/tests/data/500115.toml"


def test_the_onboarded_district_is_public_with_its_service_zone(live_server, phone, shoot):
    load_organisations(path=DATA_DIR / "500000.toml")
    onboard_jurisdiction(path=FILE)
    phone.goto(f"{live_server.url}/catalogue/?j=500115")
    phone.wait_for_selector("text=线下服务地点")
    page = phone.content()
    assert "长寿区政务服务中心二楼帮代办专区" in page and "023-00000000" in page
    assert phone.locator("a[href='tel:023-00000000']").count() == 1
    shoot(phone, "onboarded-01-catalogue-phone")
    phone.click("text=施工图设计文件审查（多图联审）")
    phone.wait_for_selector("text=由告知承诺书代替")
    shoot(phone, "onboarded-02-commitment-guide-phone")
