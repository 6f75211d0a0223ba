"""The home page's work queues: for each role the person holds, what is waiting, each count a link to the
list filtered the same way. The case queues come from `daiban.cases.queues` (one grouped query over
requests, one over items); the hall manager's call-backs and the supervisor's rectifications and ledgers
add one count query each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from daiban.cases.queues import QUEUES, queue_counts
from daiban.feedback.models import Rectification
from daiban.feedback.selectors import callback_queue, rectifications_visible_to
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role
from daiban.organizations.selectors import active_roles, jurisdictions_where
from daiban.oversight.models import QuarterlyLedger
from daiban.oversight.selectors import ledger_units_visible_to
from daiban.workdays.quarters import Quarter


@dataclass(frozen=True)
class Tile:
    key: str
    label: str | Promise
    count: int
    url: str


def _list_url(target: str, key: str) -> str:
    name = "cases:request_list" if target == "requests" else "cases:item_list"
    return f"{reverse(name)}?{urlencode({'queue': key})}"


def _ledger_url(quarter: Quarter) -> str:
    return (
        f"{reverse('oversight:ledger_list')}?{urlencode({'year': quarter.year, 'quarter': quarter.number})}"
    )


def role_queues(user: Viewer, today: dt.date) -> dict[str, list[Tile]]:
    """Role → its queue tiles, for the roles the person holds that have queues."""
    held = {a.role for a in active_roles(user)}
    counts = queue_counts(user, today)
    tiles: dict[str, list[Tile]] = {}
    for queue in QUEUES:
        if queue.key in counts:
            tiles.setdefault(queue.role, []).append(
                Tile(queue.key, queue.label, counts[queue.key], _list_url(queue.target, queue.key))
            )
    if Role.HALL_MANAGER in held:
        tiles[Role.HALL_MANAGER] = [
            Tile(
                "callbacks",
                _("Call-backs due"),
                callback_queue(user).count(),
                reverse("feedback:callback_list"),
            )
        ]
    supervised = jurisdictions_where(user, Role.SUPERVISOR)
    if Role.SUPERVISOR in held and supervised:
        to_verify = (
            rectifications_visible_to(user)
            .filter(jurisdiction_id__in=supervised, status=Rectification.Status.REPORTED)
            .count()
        )
        quarter = Quarter.last_ended()
        submitted = QuarterlyLedger.objects.of(quarter).values("unit_id")
        unsubmitted = (
            ledger_units_visible_to(user)
            .filter(jurisdiction_id__in=supervised)
            .exclude(id__in=submitted)
            .count()
        )
        tiles.setdefault(Role.SUPERVISOR, []).extend(
            [
                Tile(
                    "to_verify",
                    _("Rectifications to verify"),
                    to_verify,
                    f"{reverse('feedback:rectification_list')}?status={Rectification.Status.REPORTED}",
                ),
                Tile(
                    "ledgers",
                    _("Ledgers not submitted"),
                    unsubmitted,
                    _ledger_url(quarter),
                ),
            ]
        )
    return tiles
