"""A rectification's state graph, registered with the workflow core (ADR 0012).

open ──report (owner)──► reported ──close (supervisor)──► closed
  ▲                          │
  └────send_back (supervisor)┘
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daiban.common.audit import AuditVerb
from daiban.common.workflow import Actor, Move, Step, Workflow, move
from daiban.notifications.services import notify
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role, User
from daiban.organizations.selectors import jurisdictions_where, role_holders

from .models import Rectification, RectificationNote

R = Rectification.Status


def supervises(person: Viewer, rectification: Rectification) -> bool:
    """A supervisor of the rectification's jurisdiction (a city supervisor spans its districts)."""
    return rectification.jurisdiction_id in jurisdictions_where(person, Role.SUPERVISOR)


def owns(person: Viewer, rectification: Rectification) -> bool:
    return rectification.owner_id is not None and rectification.owner_id == person.pk


OWNER = Actor[Rectification]("owner", owns)
SUPERVISOR = Actor[Rectification]("supervisor", supervises)


def rectification_url(rectification: Rectification) -> str:
    return reverse("feedback:rectification_detail", args=[rectification.pk])


def _history(step: Step[Rectification]) -> None:
    RectificationNote.objects.create(
        rectification=step.obj,
        verb=step.move.verb,
        from_state=step.before,
        to_state=step.after,
        text=step.note,
        by=step.by,
    )


def _tell(step: Step[Rectification]) -> None:
    """The owner learns of a return or closure; the supervisors, of a report."""
    rectification = step.obj
    recipients: list[User] = []
    if step.action == "report":
        recipients = list(role_holders(Role.SUPERVISOR, jurisdiction=rectification.jurisdiction))
    elif rectification.owner is not None:
        recipients = [rectification.owner]
    notify(
        recipients=recipients,
        verb=step.move.verb,
        title=_("Rectification for %(project)s: %(status)s")
        % {"project": rectification.request.project.name, "status": rectification.get_status_display()},
        body=step.note,
        url=rectification_url(rectification),
        jurisdiction_code=rectification.jurisdiction.code,
    )
    if step.action == "close" and rectification.source == Rectification.Source.COMPLAINT:
        request = rectification.request
        notify(  # the complainant learns its complaint was dealt with, on its own request's page
            recipients=[link.user for link in request.applicant.representatives.select_related("user")],
            verb=step.move.verb,
            title=_("Your complaint about %(project)s was dealt with: the rectification is closed")
            % {"project": request.project.name},
            body=step.note,
            url=reverse("cases:request_detail", args=[request.pk]),
            jurisdiction_code=rectification.jurisdiction.code,
        )


RECTIFICATION_MOVES: tuple[Move[Rectification], ...] = (
        move("report",    {R.OPEN},     R.REPORTED, OWNER,      AuditVerb.RECTIFICATION_REPORTED,  gettext_lazy("Report what was done")),
        move("send_back", {R.REPORTED}, R.OPEN,     SUPERVISOR, AuditVerb.RECTIFICATION_SENT_BACK, gettext_lazy("Send back: not yet rectified")),
        move("close",     {R.REPORTED}, R.CLOSED,   SUPERVISOR, AuditVerb.RECTIFICATION_CLOSED,    gettext_lazy("Verify and close")),
)  # fmt: skip

RECTIFICATION = Workflow[Rectification](
    name="rectification",
    model=Rectification,
    state_field="status",
    moves=RECTIFICATION_MOVES,
    refused_in_state=gettext_lazy("This rectification is “%(status)s”; “%(action)s” is not possible now."),
    refused_actor=gettext_lazy("You are not the one who records this step."),
    stale=gettext_lazy("Someone else changed this meanwhile; reload the page and try again."),
    terminal=frozenset({R.CLOSED}),
    lock_related=("jurisdiction", "request__project", "owner"),
    history=_history,
    announce={"report": _tell, "send_back": _tell, "close": _tell},
)
