"""个人信息保护 as a class: an enterprise contact's full mobile number reaches staff only through the reveal
paths (which record the read). Every page, list, list export and API read that takes no argument or a
request/item of the world is opened by each staff role that works on the request, and the full number
must appear in none of them (a workbook is searched in its XML, where cell text is kept as written);
the masked form shows the lists do carry the contact. No notification carries it either. A page added
later that prints the number fails here."""

import io
import zipfile

import pytest
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from daiban.cases.tests.conftest import (  # noqa: F401 - the cases fixtures, reused
    clock,
    dispatched,
    items,
    park_project,
    rep,
    staff,
    town_project,
)
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.common.privacy import mask_mobile
from daiban.notifications.models import Notification

REVEALS = {"cases:request_contact", "feedback:callback_contact", "assistance:consultation_contact"}
EXPORTS = {"cases:request_list", "cases:item_list", "cases:worklist"}  # ?export=xlsx
SKIPPED_KINDS = (".pdf",)  # PDFs are compressed: the receipt and plan are built from the same fields


def _patterns(patterns, prefix=""):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(
                pattern.url_patterns, prefix + (f"{pattern.namespace}:" if pattern.namespace else "")
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern


def _urls(request, item) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    values = {"pk": request.pk, "item_pk": item.pk, "request_id": request.pk, "item_id": item.pk}
    urls = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        if (
            name.startswith(("admin:", "admin_"))
            or name in REVEALS
            or str(pattern.pattern).endswith(SKIPPED_KINDS)
        ):
            continue
        wanted = set(pattern.pattern.regex.groupindex)
        if not wanted <= set(values):
            continue
        urls.append((name, reverse(name, kwargs={key: values[key] for key in wanted})))
    return urls


def _text(response) -> str:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # an .xlsx
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return body.decode("utf-8", "replace")


@pytest.mark.django_db
def test_no_page_export_or_api_read_shows_a_contact_s_full_mobile(client, dispatched, staff):  # noqa: F811
    mobile = dispatched.applicant.contact_mobile
    assert len(mobile) == 11
    item = dispatched.items.order_by("position").first()
    urls = _urls(dispatched, item)
    assert len(urls) > 40  # the walk finds the pages, not nothing
    shown_masked, opened = set(), set()
    for persona in ("park_coord", "park_agent", "supervisor", "clerk"):
        client.force_login(staff[persona])
        for name, url in urls + [(f"{n} export", f"{reverse(n)}?export=xlsx") for n in EXPORTS]:
            response = client.get(url)
            if response.status_code != 200:
                continue
            opened.add(name)
            text = _text(response)
            assert mobile not in text, f"{name} as {persona}: {url}"
            if mask_mobile(mobile) in text:
                shown_masked.add(name)
    assert {"cases:request_detail", "cases:worklist"} <= shown_masked
    assert {
        "api:list_requests",
        "api:get_request",
        "api:list_projects",
        "cases:request_list export",
    } <= opened
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSONAL_DATA_VIEWED).exists()
    # Nor does any notification the submission, acceptance and assignments sent (staff and enterprise).
    sent = Notification.objects.all()
    assert sent.count() >= 3
    assert not sent.filter(Q(title__contains=mobile) | Q(body__contains=mobile)).exists()
