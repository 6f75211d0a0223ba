"""The journeys' Content-Security-Policy watch catches what it is there to catch: an inline script refused by
the policy the site sends (so a journey through a page that relies on one fails)."""

import pytest

from .conftest import watched

pytestmark = pytest.mark.browser


def test_the_watch_sees_a_refused_inline_script(browser):
    context = browser.new_context()
    page = watched(context.new_page())
    page.set_content(
        '<meta http-equiv="Content-Security-Policy" content="script-src \'self\'">'
        "<script>document.title = 'ran'</script>"
    )
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    assert any("Content Security Policy" in v for v in page.csp_violations)
    context.close()
