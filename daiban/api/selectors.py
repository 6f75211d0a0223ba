"""Reads of the API app for the pages: the approval-system events a coordinator should look at."""

from django.db.models import Q

from daiban.cases.permissions import can_assign
from daiban.cases.selectors import requests_visible_to
from daiban.organizations.models import User
from daiban.organizations.selectors import coordinator_units

from .models import ItemEvent

CONFLICTS_SHOWN = 200


def conflicts_visible_to(user: User) -> list[ItemEvent]:
    """The latest conflicting events of the items this user coordinates (`can_assign`, as the item
    page's panel), newest first: the rows are narrowed in SQL to the user's units, then checked by the
    same rule as the item page."""
    units = coordinator_units(user)
    candidates = (
        ItemEvent.objects.filter(
            outcome=ItemEvent.Outcome.CONFLICT, case_item__request__in=requests_visible_to(user)
        )
        .filter(Q(case_item__responsible_unit_id__in=units) | Q(case_item__request__locality_id__in=units))
        .select_related("client", "case_item__request", "case_item__approval_item")
        .order_by("-occurred_at", "-id")[:CONFLICTS_SHOWN]
    )
    return [e for e in candidates if can_assign(user, e.case_item, e.case_item.request)]
