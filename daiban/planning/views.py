from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from daiban.cases.selectors import requests_visible_to
from daiban.common.access import signed_in
from daiban.workdays.engine import CalendarYearUnknown

from .engine import PlanCycleError
from .selectors import plan_for_request


@signed_in
def request_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's 预排工期: planned and predicted dates, the critical path, plan versus actual."""
    service_request = get_object_or_404(
        requests_visible_to(request.user).select_related("project", "jurisdiction"), pk=pk
    )
    error = ""
    plan = None
    try:
        plan = plan_for_request(service_request)
    except CalendarYearUnknown as exc:
        error = exc.user_message
    except PlanCycleError as exc:
        error = str(exc)
    return render(
        request, "planning/request_plan.html", {"req": service_request, "plan": plan, "error": error}
    )
