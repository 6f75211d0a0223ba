"""Real headless Chromium (Debian's package) driven by Playwright. Screenshots are kept under
test-artifacts/screenshots/ for people to look at."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Debian's chromium is required for browser journeys in CI (scripts/ensure-chromium.sh)"
            )
        pytest.skip("chromium is not installed: run scripts/ensure-chromium.sh or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


AXE = (
    Path(__file__).resolve().parents[2]
    / "daiban"
    / "common"
    / "static"
    / "vendor"
    / "axe-core"
    / "axe-4.10.3.min.js"
)
# What fails a journey: axe's two worst impacts (ADR 0028). "moderate"/"minor" findings are not gated.
AXE_GATED = {"serious", "critical"}
AXE_RUN = """async () => {
  if (!window.axe) { return null; }
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def axe_check(page) -> None:  # type: ignore[no-untyped-def]
    """Run axe-core on the document now shown, once per document, and keep its serious/critical findings."""
    url = page.url
    if not url.startswith("http") or page.axe_last_url == url:
        return
    try:
        found = page.evaluate(AXE_RUN)
    except PlaywrightError:  # the page went away under the check (a download, a closed context)
        return
    page.axe_last_url = url
    page.axe_pages.append(url)
    for violation in found or []:
        if violation["impact"] in AXE_GATED:
            page.axe_violations.append({"url": url, **violation})


# The page methods after which a journey stands on a loaded page: each is followed by a check of that page.
AXE_AFTER = ("goto", "reload", "go_back", "wait_for_url", "wait_for_load_state", "wait_for_selector")


def watch_accessibility(page):  # type: ignore[no-untyped-def]
    """Check every page a journey lands on with the vendored axe-core (ADR 0028): the script is added to
    each document as an init script (which the CSP does not govern), and each of the page methods above runs
    the check once per address after it returns. The fixture's teardown checks the last page and fails the
    journey on any serious or critical violation. (Holding each navigation in a route handler until the
    page left is checked would be stricter, but evaluating inside a route handler stalls Playwright's
    sync API.)"""
    page.axe_violations = []
    page.axe_pages = []
    page.axe_last_url = None
    page.context.add_init_script(path=str(AXE))
    for name in AXE_AFTER:
        method = getattr(page, name)

        def checked(*args, _method=method, **kwargs):  # type: ignore[no-untyped-def]
            result = _method(*args, **kwargs)
            axe_check(page)
            return result

        setattr(page, name, checked)
    return page


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    axe_check(page)
    assert page.axe_violations == [], "\n".join(
        f"{v['url']} {v['impact']} {v['id']}: {v['help']} at {v['targets']}" for v in page.axe_violations
    )


def watched(page):  # type: ignore[no-untyped-def]
    """Collect what the browser refused under the Content-Security-Policy and every script error, so a
    journey fails when a page relies on inline script (等保: no 'unsafe-inline' scripts) or breaks."""
    page.csp_violations = []
    page.on(
        "console",
        lambda m: page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: page.csp_violations.append(f"script error: {e}"))
    return page


def assert_no_violations(page) -> None:  # type: ignore[no-untyped-def]
    assert page.csp_violations == [], page.csp_violations


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    """A phone-sized page in Chinese, as an agent in the field would hold it."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    page = watch_accessibility(watched(context.new_page()))
    yield page
    assert_accessible(page)
    context.close()
    assert_no_violations(page)


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = watch_accessibility(watched(context.new_page()))
    yield page
    assert_accessible(page)
    context.close()
    assert_no_violations(page)


@pytest.fixture
def shoot():  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:  # type: ignore[no-untyped-def]
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def cover_calendar_until(day):  # type: ignore[no-untyped-def]
    """Journeys run on today's dates: when the library does not know next year yet, give the test database a
    plain Monday–Friday year so the pages can still compute (the engine and the pages share that calendar)."""
    from daiban.workdays.models import CalendarYear

    for year in range(day.year - 1, day.year + 2):
        CalendarYear.objects.get_or_create(
            year=year, jurisdiction_code="", defaults={"notice": "test: Mon–Fri only"}
        )
