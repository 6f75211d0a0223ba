"""Personal information (PIPL, 等保 个人信息保护): numbers that identify a person are masked wherever they are
listed, exported or sent, and shown in full only on request to someone who may see the record they belong
to — a read that is recorded in the audit trail."""

import re

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .audit import AuditVerb, record

_MOBILE = re.compile(r"^(\d{3})\d{4}(\d{4})$")
_RESIDENT_ID = re.compile(r"^(\d{6})\d{8}(\d{3}[\dXx])$")


def mask_mobile(value: str) -> str:
    """138****5678; anything that is not an 11-digit number keeps only its last two characters."""
    value = (value or "").strip()
    if not value:
        return ""
    if m := _MOBILE.match(value):
        return f"{m.group(1)}****{m.group(2)}"
    return "*" * max(len(value) - 2, 1) + value[-2:]


def mask_resident_id(value: str) -> str:
    """500242********123X: the region stays, the birth date and sequence go."""
    value = (value or "").strip()
    if m := _RESIDENT_ID.match(value):
        return f"{m.group(1)}{'*' * 8}{m.group(2)}"
    return mask_mobile(value)


def reveal(request: HttpRequest, *, target: models.Model, field: str, value: str) -> HttpResponse:
    """Show one full value to a person the caller has already authorised for `target`, recording the read.
    Answers the fragment the page swaps in (htmx) in place of the masked value."""
    record(actor=request.user, verb=AuditVerb.PERSONAL_DATA_VIEWED, target=target, after={"field": field})
    return render(request, "common/revealed_mobile.html", {"value": value})
