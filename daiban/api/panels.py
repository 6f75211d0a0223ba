"""The item page's panel of approval-system events that were not applied (registered in ApiConfig.ready
through `cases.panels`): shown to whoever coordinates the item, only when there are some."""

from collections.abc import Mapping
from typing import Any

from daiban.cases.models import CaseItem
from daiban.cases.panels import ItemPanel
from daiban.cases.permissions import can_assign

from .models import ItemEvent


def conflicts_context(viewer: Any, item: CaseItem) -> Mapping[str, object] | None:
    if not can_assign(viewer, item, item.request):
        return None
    conflicts = list(
        ItemEvent.objects.filter(case_item=item, outcome=ItemEvent.Outcome.CONFLICT).order_by(
            "occurred_at", "id"
        )
    )
    return {"conflicts": conflicts} if conflicts else None


CONFLICTS_PANEL = ItemPanel("api.event_conflicts", "api/item_conflicts_panel.html", conflicts_context)
