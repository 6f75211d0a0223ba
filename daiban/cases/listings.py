"""What the request and item lists offer: search, filters (the home page's queues among them), period and
sort orders, and the columns of their Excel export (`daiban.common.listing`)."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.common.listing import ChoiceFilter, Column, Listing, Sort, field_choice
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Unit

from .models import CLOCK_STATES, CaseItem, ServiceRequest
from .queues import QUEUES, conditions_for

_REFERENCE = re.compile(r"(?:BDB)?([0-9A-Za-z]+)?-?([0-9]{4})-([0-9]{1,9})", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]{1,9}")


def _by_reference(text: str, prefix: str = "") -> Q:
    """A request number as people quote it: BDB500242-2026-000012, 2026-12, or just 12."""
    found = _REFERENCE.fullmatch(text.replace(" ", ""))
    if found:
        code, year, number = found.groups()
        condition = Q(**{f"{prefix}year": int(year), f"{prefix}number": int(number)})
        return condition & Q(**{f"{prefix}jurisdiction__code__iexact": code}) if code else condition
    if _NUMBER.fullmatch(text):
        return Q(**{f"{prefix}number": int(text)})
    return Q(pk__in=[])


def _item_named(text: str) -> Q:
    return Q(pk__in=CaseItem.objects.filter(approval_item__name__icontains=text).values("request_id"))


def _agent_named(text: str) -> Q:
    return Q(pk__in=CaseItem.objects.filter(agent__full_name__icontains=text).values("request_id"))


def _units(kinds: tuple[str, ...], jurisdiction_ids: set[int]) -> list[tuple[str, str]]:
    units = Unit.objects.filter(jurisdiction_id__in=jurisdiction_ids, kind__in=kinds).order_by(
        "jurisdiction__code", "kind", "position", "id"
    )
    return [(str(u.pk), u.short_name or u.name) for u in units]


def _queue_filter(user: Viewer, today: dt.date, target: str) -> ChoiceFilter:
    conditions = conditions_for(user, today, "requests" if target == "requests" else "items")
    choices = [(q.key, q.label) for q in QUEUES if q.key in conditions]
    return ChoiceFilter("queue", _("Work queue"), choices, lambda key: conditions[key])


def request_listing(user: Viewer, today: dt.date, jurisdiction_ids: set[int]) -> Listing[ServiceRequest]:
    overdue = CaseItem.objects.filter(state__in=CLOCK_STATES, due_on__lt=today).values("request_id")
    return Listing(
        search=(
            "project__name",
            "applicant__name",
            "applicant__uscc",
            _by_reference,
            _item_named,
            _agent_named,
        ),
        filters=(
            _queue_filter(user, today, "requests"),
            field_choice("state", _("State"), "state", ServiceRequest.State.choices),
            field_choice("mode", _("Service"), "mode", ServiceRequest.Mode.choices),
            ChoiceFilter(
                "unit",
                _("Responsible unit"),
                _units((Unit.Kind.DEPARTMENT, Unit.Kind.PARK), jurisdiction_ids),
                lambda pk: Q(
                    pk__in=CaseItem.objects.filter(responsible_unit_id=int(pk)).values("request_id")
                ),
            ),
            field_choice(
                "township",
                _("Township or park"),
                "locality_id",
                _units((Unit.Kind.TOWNSHIP, Unit.Kind.PARK), jurisdiction_ids),
            ),
            ChoiceFilter(
                "overdue",
                _("Deadline"),
                [("yes", _("with an overdue item")), ("no", _("nothing overdue"))],
                lambda v: Q(pk__in=overdue) if v == "yes" else ~Q(pk__in=overdue),
            ),
        ),
        period_field="submitted_at__date",
        sorts={
            "new": Sort(_("newest first"), ("-submitted_at", "-id")),
            "old": Sort(_("oldest first"), ("submitted_at", "id")),
            "project": Sort(_("project name"), ("project__name", "id")),
            "number": Sort(_("request number"), ("jurisdiction__code", "year", "number")),
        },
        default_sort="new",
    )


def item_listing(user: Viewer, today: dt.date, jurisdiction_ids: set[int]) -> Listing[CaseItem]:
    overdue = Q(state__in=CLOCK_STATES, due_on__lt=today)
    return Listing(
        search=(
            "request__project__name",
            "request__applicant__name",
            "request__applicant__uscc",
            lambda text: _by_reference(text, "request__"),
            "approval_item__name",
            "agent__full_name",
        ),
        filters=(
            _queue_filter(user, today, "items"),
            field_choice("state", _("State"), "state", CaseItem.State.choices),
            field_choice(
                "unit",
                _("Responsible unit"),
                "responsible_unit_id",
                _units((Unit.Kind.DEPARTMENT, Unit.Kind.PARK), jurisdiction_ids),
            ),
            field_choice(
                "township",
                _("Township or park"),
                "request__locality_id",
                _units((Unit.Kind.TOWNSHIP, Unit.Kind.PARK), jurisdiction_ids),
            ),
            ChoiceFilter(
                "overdue",
                _("Deadline"),
                [("yes", _("overdue")), ("no", _("not overdue"))],
                lambda v: overdue if v == "yes" else ~overdue,
            ),
        ),
        period_field="request__submitted_at__date",
        sorts={
            "due": Sort(_("deadline first"), ("due_on", "request__submitted_at", "id")),
            "new": Sort(_("newest first"), ("-request__submitted_at", "-id")),
            "old": Sort(_("oldest first"), ("request__submitted_at", "position", "id")),
            "project": Sort(_("project name"), ("request__project__name", "position", "id")),
        },
        default_sort="due",
    )


REQUEST_COLUMNS: tuple[Column[ServiceRequest], ...] = (
    Column(_("Reference"), lambda r: r.reference, 24),
    Column(_("project"), lambda r: r.project.name, 36),
    Column(_("applicant"), lambda r: r.applicant.name, 30),
    Column(_("unified social credit code"), lambda r: r.applicant.uscc, 22),
    Column(_("locality (township or park)"), lambda r: r.locality.name, 20),
    Column(_("Service"), lambda r: f"{r.get_mode_display()} · {r.get_channel_display()}", 18),
    Column(_("State"), lambda r: r.get_state_display(), 16),
    Column(_("Submitted"), lambda r: r.submitted_at.strftime("%Y-%m-%d %H:%M"), 18),
)

ITEM_COLUMNS: tuple[Column[CaseItem], ...] = (
    Column(_("Reference"), lambda i: i.request.reference, 24),
    Column(_("project"), lambda i: i.request.project.name, 36),
    Column(_("applicant"), lambda i: i.request.applicant.name, 30),
    Column(_("approval item"), lambda i: i.approval_item.name, 30),
    Column(_("responsible unit"), lambda i: i.responsible_unit.name, 22),
    Column(_("agent"), lambda i: i.agent.display_name if i.agent else "", 12),
    Column(_("State"), lambda i: i.get_state_display(), 14),
    Column(_("filed on"), lambda i: i.filed_on, 12),
    Column(_("deadline"), lambda i: i.due_on, 12),
)


# Other apps' lists offer the same unit filters (issues by locality, evaluations by unit).
unit_choices = _units
