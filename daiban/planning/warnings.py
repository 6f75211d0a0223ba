"""Early warning: when what really happened pushes a request's predicted construction-permit date past
its plan, the agents and the applicant hear about it once for each new predicted date."""

from django.urls import reverse
from django.utils.translation import gettext as _

from daiban.cases.models import HANDLING_STATES, ServiceRequest
from daiban.common.jobs import isolated
from daiban.notifications.services import notify_once
from daiban.workdays.engine import CalendarYearUnknown

from .engine import PlanCycleError
from .selectors import PERMIT_CODE, plan_for_request


def warn_permit_slips() -> dict[str, int]:
    """Each request runs isolated: one that fails is logged and counted, the others go on (ADR 0007)."""
    counts = {"sent": 0, "failed": 0}
    requests = (
        ServiceRequest.objects.filter(
            state__in=HANDLING_STATES,
            items__approval_item__code=PERMIT_CODE,
            items__decided_on__isnull=True,
        )
        .select_related("jurisdiction", "project", "applicant")
        .distinct()
    )
    for request in requests:
        with isolated(counts, "permit prediction of request", request.pk):
            try:
                plan = plan_for_request(request)
            except (CalendarYearUnknown, PlanCycleError):
                continue
            if not plan.permit_slips:
                continue
            recipients = {i.agent for i in request.items.select_related("agent") if i.agent is not None}
            recipients |= {rep.user for rep in request.applicant.representatives.select_related("user")}
            if notify_once(
                key=f"permit-slip:{request.pk}:{plan.permit_on}",
                recipients=recipients,
                verb="plan.permit_slips",
                title=_(
                    "The construction permit of %(project)s is now expected on %(on)s (planned %(planned)s)"
                )
                % {"project": request.project.name, "on": plan.permit_on, "planned": plan.planned_permit_on},
                url=reverse("planning:request_plan", args=[request.pk]),
                jurisdiction_code=request.jurisdiction.code,
            ):
                counts["sent"] += 1
    return counts
