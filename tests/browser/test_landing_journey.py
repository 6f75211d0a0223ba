"""The public landing page on a phone and a desktop: choosing a county shows its 帮代办专区 and flow chart;
the menu collapses on the phone and its groups open as drop-downs on the desktop, by mouse and keyboard;
the high-contrast and larger-text modes are remembered across pages. axe-core checks every page visited
(conftest.watch_accessibility)."""

import pytest

from daiban.portal.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landing_on_a_phone_with_the_collapsed_menu_and_high_contrast(live_server, phone, shoot):
    load_demo()
    phone.goto(live_server.url)
    toggle = phone.locator(".menu-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator("#site-nav").is_visible()
    shoot(phone, "landing-phone-01-menu-closed")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone.locator("#site-nav a", has_text="常见问题").is_visible()
    shoot(phone, "landing-phone-02-menu-open")
    toggle.click()
    phone.click("text=大足区")
    assert "j=500111" in phone.url
    zone = phone.locator("#zone-heading")
    assert "大足区" in zone.inner_text()
    assert phone.locator(".flow li").count() == 5
    assert phone.locator(".flow li").first.inner_text().startswith("提交申请")
    phone.click("button[data-display-mode=high-contrast]")
    assert "high-contrast" in (phone.locator("html").get_attribute("class") or "")
    assert phone.locator("button[data-display-mode=high-contrast]").get_attribute("aria-pressed") == "true"
    shoot(phone, "landing-phone-03-daz-high-contrast")
    phone.click("text=常见问题 >> nth=-1")
    phone.wait_for_url("**/catalogue/faq/?j=500111")
    # remembered on the next page
    assert "high-contrast" in (phone.locator("html").get_attribute("class") or "")
    shoot(phone, "landing-phone-04-faq-high-contrast")
    assert len(phone.axe_pages) >= 2, phone.axe_pages


def test_landing_on_a_desktop_with_drop_down_groups_and_larger_text(live_server, desktop, shoot):
    load_demo()
    desktop.goto(f"{live_server.url}/?j=500242")
    assert not desktop.locator(".menu-toggle").is_visible()
    assert "酉阳" in desktop.locator("#zone-heading").inner_text()
    assert desktop.locator(".zone-facts, dl.facts").first.is_visible()
    desktop.click("button[data-display-mode=large-text]")
    shoot(desktop, "landing-desktop-01-large-text")
    desktop.goto(f"{live_server.url}/?j=999999")
    assert "没有这个区县" in desktop.locator("[role=alert]").inner_text()
    # keyboard: tab to the sign-in link from the top of the page, and the skip link comes first
    desktop.keyboard.press("Tab")
    assert desktop.evaluate("document.activeElement.className") == "skip-link"
    shoot(desktop, "landing-desktop-02-unknown-county")
    desktop.goto(f"{live_server.url}/catalogue/")
    assert "large-text" in (desktop.locator("html").get_attribute("class") or "")
    assert desktop.locator("button[data-display-mode=large-text]").get_attribute("aria-pressed") == "true"


def test_signed_in_menu_groups_open_by_mouse_and_keyboard(live_server, desktop, shoot):
    from .test_foundation_journeys import sign_in

    load_demo()
    sign_in(desktop, live_server.url, "yy-supervisor")
    group = desktop.locator(".group-toggle", has_text="监督")
    assert group.get_attribute("aria-expanded") == "false"
    assert not desktop.locator("#menu-oversight").is_visible()
    group.click()
    assert desktop.locator("#menu-oversight a", has_text="季度工作台账").is_visible()
    shoot(desktop, "menu-desktop-01-oversight-open")
    desktop.keyboard.press("Escape")
    assert group.get_attribute("aria-expanded") == "false"
    group.focus()
    desktop.keyboard.press("Enter")
    assert group.get_attribute("aria-expanded") == "true"
    desktop.keyboard.press("Tab")
    assert desktop.evaluate("document.activeElement.closest('#menu-oversight') !== null")
    desktop.keyboard.press("Enter")
    desktop.wait_for_url("**/oversight/**")  # the focused link opened by the keyboard
