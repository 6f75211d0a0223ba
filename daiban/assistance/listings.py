"""What the consultation list offers (`daiban.common.listing`, ADR 0026): search, filters, period, sorts
and the columns of its Excel export. The asker's mobile number is never exported."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.common.listing import ChoiceFilter, Column, Listing, Sort, field_choice, local_minute

from .models import Consultation

SHOW = {"open": Q(answered_at__isnull=True), "answered": Q(answered_at__isnull=False)}


def _about_item(text: str) -> Q:
    """By the name of an item asked about, without the join that would list a question once per item."""
    return Q(pk__in=Consultation.objects.filter(approval_items__name__icontains=text).values("pk"))


def consultation_listing() -> Listing[Consultation]:
    return Listing(
        search=("question", "answer", "asker_name", "applicant__name", "applicant__uscc", _about_item),
        filters=(
            ChoiceFilter(
                "show",
                _("answer"),
                [("open", _("Waiting for an answer")), ("answered", _("Answered"))],
                lambda value: SHOW[value],
            ),
            field_choice("topic", _("topic"), "topic", Consultation.Topic.choices),
            field_choice("channel", _("channel"), "channel", Consultation.Channel.choices),
        ),
        period_field="asked_at__date",
        sorts={
            "new": Sort(_("newest first"), ("-asked_at", "-id")),
            "old": Sort(_("oldest first"), ("asked_at", "id")),
        },
        default_sort="new",
    )


CONSULTATION_COLUMNS: list[Column[Consultation]] = [
    Column(_("asked at"), lambda c: local_minute(c.asked_at), 17),
    Column(_("asked by"), lambda c: c.asker_name, 12),
    Column(_("applicant"), lambda c: c.applicant.name if c.applicant else "", 28),
    Column(_("channel"), lambda c: c.get_channel_display(), 10),
    Column(_("topic"), lambda c: c.get_topic_display(), 12),
    Column(_("question"), lambda c: c.question, 50),
    Column(_("answer"), lambda c: c.answer, 50),
    Column(_("answered by"), lambda c: c.answered_by.display_name if c.answered_by else "", 12),
    Column(_("answered at"), lambda c: local_minute(c.answered_at), 17),
]
