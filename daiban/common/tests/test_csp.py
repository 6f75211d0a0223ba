"""等保 (入侵防范): every page is served with a Content-Security-Policy that allows scripts only from our own
static files, and no template relies on inline script — checked for every template, not one page."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR, "daiban").glob("*/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def test_templates_were_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_has_inline_script(template):
    text = template.read_text()
    assert INLINE_SCRIPT.findall(text) == []
    assert INLINE_HANDLER.findall(text) == []
    assert JS_URL.findall(text) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/catalogue/", "/no-such-page/"])
def test_pages_carry_the_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy
