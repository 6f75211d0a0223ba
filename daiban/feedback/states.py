"""A rectification's state graph, as data, and who moves it.

open ──report (owner)──► reported ──close (supervisor)──► closed
  ▲                          │
  └────send_back (supervisor)┘
"""

from django.utils.translation import gettext_lazy as _

from daiban.organizations.models import Role

from .models import Rectification

R = Rectification.Status

RECTIFICATION_TRANSITIONS: dict[str, dict[str, str]] = {
    "report": {R.OPEN: R.REPORTED},
    "send_back": {R.REPORTED: R.OPEN},
    "close": {R.REPORTED: R.CLOSED},
}

# "owner" is the rectification's owner; a role means a holder of it in the rectification's jurisdiction.
ACTOR: dict[str, str] = {"report": "owner", "send_back": Role.SUPERVISOR, "close": Role.SUPERVISOR}

ACTION_LABELS = {
    "report": _("Report what was done"),
    "send_back": _("Send back: not yet rectified"),
    "close": _("Verify and close"),
}
