"""An item's state graph, as data: action → {from state: to state}, and who may take each action.

planned → collecting → ready → filed → under_review ⇄ correction_requested → resubmitted → …
                                 └──────────────► approved | refused ; approved → picked_up → delivered
"""

from django.utils.translation import gettext_lazy as _

from daiban.organizations.models import Role

from .models import CaseItem

I = CaseItem.State  # noqa: E741 - one letter keeps the table readable on one screen

ITEM_TRANSITIONS: dict[str, dict[str, str]] = {
    "start_collecting": {I.PLANNED: I.COLLECTING},
    "mark_ready": {I.COLLECTING: I.READY},
    "file": {I.READY: I.FILED},
    "start_review": {I.FILED: I.UNDER_REVIEW, I.RESUBMITTED: I.UNDER_REVIEW},
    "request_correction": {I.FILED: I.CORRECTION_REQUESTED, I.UNDER_REVIEW: I.CORRECTION_REQUESTED, I.RESUBMITTED: I.CORRECTION_REQUESTED},
    "resubmit": {I.CORRECTION_REQUESTED: I.RESUBMITTED},
    "approve": {I.FILED: I.APPROVED, I.UNDER_REVIEW: I.APPROVED, I.RESUBMITTED: I.APPROVED},
    "refuse": {I.FILED: I.REFUSED, I.UNDER_REVIEW: I.REFUSED, I.RESUBMITTED: I.REFUSED},
    "pick_up": {I.APPROVED: I.PICKED_UP},
    "deliver": {I.PICKED_UP: I.DELIVERED},
}  # fmt: skip

# The agent works the item; the department's section reviewer records review progress and decisions.
ACTOR_ROLE: dict[str, str] = {
    "start_collecting": Role.AGENT,
    "mark_ready": Role.AGENT,
    "file": Role.AGENT,
    "resubmit": Role.AGENT,
    "pick_up": Role.AGENT,
    "deliver": Role.AGENT,
    "start_review": Role.SECTION_REVIEWER,
    "request_correction": Role.SECTION_REVIEWER,
    "approve": Role.SECTION_REVIEWER,
    "refuse": Role.SECTION_REVIEWER,
}

ITEM_ACTION_LABELS = {
    "start_collecting": _("Start collecting materials"),
    "mark_ready": _("Materials complete: ready to file"),
    "file": _("Record filing"),
    "start_review": _("Start review"),
    "request_correction": _("Request correction"),
    "resubmit": _("Record resubmission"),
    "approve": _("Approve"),
    "refuse": _("Refuse"),
    "pick_up": _("Record pick-up"),
    "deliver": _("Record delivery"),
}

# While the clock runs: filed and not yet decided.
CLOCK_STATES = frozenset({I.FILED, I.UNDER_REVIEW, I.CORRECTION_REQUESTED, I.RESUBMITTED})
