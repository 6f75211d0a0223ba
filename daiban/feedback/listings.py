"""What the evaluation list offers (`daiban.common.listing`, ADR 0026). A bad rating withheld from the agent
it rates (until the reform office releases it) shows that agent neither the project nor the day: so for
that agent a search or a period never finds it (which would tell), and its export row is masked like the
page's."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from daiban.common.listing import ChoiceFilter, Column, Listing, ListState, Sort, local_minute
from daiban.organizations.auth import Viewer
from daiban.organizations.selectors import person_id

from .models import Evaluation
from .selectors import comment_visible


def evaluation_listing() -> Listing[Evaluation]:
    return Listing(
        search=(
            "request__project__name",
            "request__applicant__name",
            "request__applicant__uscc",
            "agent__full_name",
        ),
        filters=(
            ChoiceFilter(
                "bad",
                _("bad rating"),
                [("1", _("Bad ratings only")), ("0", _("Others"))],
                lambda value: Q(is_bad=value == "1"),
            ),
            ChoiceFilter(
                "released",
                _("released to the agent at"),
                [("withheld", _("withheld until released")), ("released", _("released"))],
                lambda value: Q(is_bad=True, released_at__isnull=value == "withheld"),
            ),
        ),
        period_field="given_at__date",
        sorts={
            "new": Sort(_("newest first"), ("-given_at", "-id")),
            "old": Sort(_("oldest first"), ("given_at", "id")),
            "low": Sort(_("lowest rating first"), ("-is_bad", "attitude", "efficiency", "integrity", "-id")),
        },
        default_sort="new",
    )


def withheld_from(user: Viewer) -> Q:
    """The bad ratings of `user` as the agent rated that are not released yet."""
    return Q(agent_id=person_id(user), is_bad=True, released_at__isnull=True)


def narrowed_for(user: Viewer, rows: QuerySet[Evaluation], state: ListState) -> QuerySet[Evaluation]:
    """A search or a period would tell the rated agent a withheld rating's project or day: leave those out
    of narrowed lists (browsing still shows them, masked)."""
    if state.q or state.start_on or state.end_on:
        return rows.exclude(withheld_from(user))
    return rows


def evaluation_columns(user: Viewer) -> list[Column[Evaluation]]:
    def shown(e: Evaluation) -> bool:
        return comment_visible(user, e)

    return [
        Column(
            _("given at"),
            lambda e: (
                local_minute(e.given_at) if shown(e) else timezone.localtime(e.given_at).strftime("%Y-%m")
            ),
            17,
        ),
        Column(
            _("request"),
            lambda e: e.request.project.name if shown(e) else gettext("withheld until released"),
            30,
        ),
        Column(_("agent"), lambda e: e.agent.display_name, 12),
        Column(_("attitude"), lambda e: e.get_attitude_display(), 8),
        Column(_("efficiency"), lambda e: e.get_efficiency_display(), 8),
        Column(_("integrity"), lambda e: e.get_integrity_display(), 8),
        Column(_("bad rating"), lambda e: gettext("yes") if e.is_bad else "", 8),
        Column(_("comment"), lambda e: e.comment if shown(e) else "", 50),
    ]
