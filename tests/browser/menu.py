"""Reach a page through the site's menu as a person does: on a phone the menu folds behind 菜单, and on a
desktop the links sit in groups (办件 / 监督 / 资料) that open on a click — a journey opens what hides the
link, then clicks it."""

from playwright.sync_api import Page


def go_via_menu(page: Page, text: str) -> None:
    link = page.locator("#site-nav a", has_text=text).first
    if not link.is_visible():
        toggle = page.locator(".menu-toggle")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
            toggle.click()
    if not link.is_visible():
        group = page.locator("#site-nav li.group").filter(has=page.locator("a", has_text=text))
        group.locator(".group-toggle").first.click()
    link.click()
