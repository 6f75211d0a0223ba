"""The request's state graph, as data: action → {from state: to state}. Nothing else changes `state`.

submitted ──accept──► accepted ──dispatch──► dispatched ──complete──► completed
    │  └──decline──► declined
    └──withdraw──► withdrawn
"""

from django.utils.translation import gettext_lazy as _

from .models import ServiceRequest

S = ServiceRequest.State

REQUEST_TRANSITIONS: dict[str, dict[str, str]] = {
    "accept": {S.SUBMITTED: S.ACCEPTED},
    "decline": {S.SUBMITTED: S.DECLINED},
    "withdraw": {S.SUBMITTED: S.WITHDRAWN},
    "dispatch": {S.ACCEPTED: S.DISPATCHED},
    "complete": {S.DISPATCHED: S.COMPLETED},
}

ACTION_LABELS = {
    "accept": _("accept"),
    "decline": _("decline"),
    "withdraw": _("withdraw"),
    "dispatch": _("dispatch"),
    "complete": _("completed"),
}


def next_state(action: str, state: str) -> str | None:
    return REQUEST_TRANSITIONS.get(action, {}).get(state)
