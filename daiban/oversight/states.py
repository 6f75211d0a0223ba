"""A coordination issue's state graph, as data, and who moves it.

open ──assign (supervisor)──► assigned ──resolve (assignee or supervisor)──► resolved
                               ▲  └─assign (reassign)─┘                          │
                               └──────────────reopen (supervisor)───────────────┘
"""

from django.utils.translation import gettext_lazy as _

from .models import CoordinationIssue

S = CoordinationIssue.Status

ISSUE_TRANSITIONS: dict[str, dict[str, str]] = {
    "assign": {S.OPEN: S.ASSIGNED, S.ASSIGNED: S.ASSIGNED},
    "resolve": {S.ASSIGNED: S.RESOLVED},
    "reopen": {S.RESOLVED: S.ASSIGNED},
}

# Who may take each action: the jurisdiction's supervisors always; the assignee where named.
ASSIGNEE_MAY = frozenset({"resolve"})

ACTION_LABELS = {"assign": _("Assign"), "resolve": _("Record the resolution"), "reopen": _("Reopen")}
