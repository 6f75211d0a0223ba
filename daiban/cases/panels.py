"""Panels that apps above `cases` add to the item page, without `cases` reading their models.

The item page belongs to `cases`; what the approval-system link (daiban.api) or another higher app knows
about an item is theirs. Each registers a panel in its AppConfig.ready: a template and a function giving
the panel's context for (viewer, item), or None when this viewer sees no panel for this item. The page
renders the registered panels in order of registration, after the clock stops."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .models import CaseItem


@dataclass(frozen=True)
class ItemPanel:
    name: str
    template: str
    context: Callable[[Any, CaseItem], Mapping[str, object] | None]


_PANELS: dict[str, ItemPanel] = {}


def register_item_panel(panel: ItemPanel) -> None:
    """Idempotent by name (ready() may run twice in tests)."""
    _PANELS[panel.name] = panel


def item_panels(viewer: Any, item: CaseItem) -> list[tuple[str, Mapping[str, object]]]:
    """(template, context) of each panel this viewer sees on this item's page."""
    shown = []
    for panel in _PANELS.values():
        context = panel.context(viewer, item)
        if context is not None:
            shown.append((panel.template, context))
    return shown
