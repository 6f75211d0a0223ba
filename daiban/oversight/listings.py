"""What the 问题清单 list offers (`daiban.common.listing`, ADR 0026): search, filters, period, sorts and the
columns of its Excel export."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.cases.listings import unit_choices
from daiban.common.listing import ChoiceFilter, Column, Listing, Sort, local_minute
from daiban.organizations.models import Unit

from .models import CoordinationIssue

OVERDUE = "overdue"


def issue_listing(today: dt.date, jurisdiction_ids: set[int]) -> Listing[CoordinationIssue]:
    statuses = [*CoordinationIssue.Status.choices, (OVERDUE, _("overdue"))]

    def by_status(value: str) -> Q:
        if value == OVERDUE:  # the page's old `?status=overdue` link keeps its meaning
            return Q(status=CoordinationIssue.Status.ASSIGNED, due_on__lt=today)
        return Q(status=value)

    return Listing(
        search=(
            "title",
            "description",
            "case_item__request__project__name",
            "case_item__request__applicant__uscc",
            "case_item__approval_item__name",
            "assignee__full_name",
            "unit__name",
        ),
        filters=(
            ChoiceFilter("status", _("status"), statuses, by_status),
            ChoiceFilter(
                "unit",
                _("locality or unit concerned"),
                unit_choices((Unit.Kind.TOWNSHIP, Unit.Kind.PARK, Unit.Kind.DEPARTMENT), jurisdiction_ids),
                lambda pk: Q(unit_id=int(pk)),
            ),
        ),
        period_field="raised_at__date",
        sorts={
            "new": Sort(_("newest first"), ("-raised_at", "-id")),
            "old": Sort(_("oldest first"), ("raised_at", "id")),
            "due": Sort(_("deadline first"), ("due_on", "raised_at", "id")),
        },
        default_sort="new",
    )


ISSUE_COLUMNS: list[Column[CoordinationIssue]] = [
    Column(_("problem"), lambda i: i.title, 30),
    Column(_("details"), lambda i: i.description, 50),
    Column(_("project"), lambda i: i.case_item.request.project.name if i.case_item else "", 30),
    Column(_("Item"), lambda i: i.case_item.approval_item.name if i.case_item else "", 30),
    Column(_("locality or unit concerned"), lambda i: i.unit.name if i.unit else "", 20),
    Column(_("raised by"), lambda i: i.raised_by.display_name, 12),
    Column(_("raised at"), lambda i: local_minute(i.raised_at), 17),
    Column(_("responsible agent"), lambda i: i.assignee.display_name if i.assignee else "", 12),
    Column(_("due on"), lambda i: i.due_on, 12),
    Column(_("status"), lambda i: i.get_status_display(), 10),
    Column(_("resolution"), lambda i: i.resolution, 40),
]
