from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from daiban.cases.selectors import requests_visible_to
from daiban.common.access import signed_in
from daiban.workdays.engine import CalendarYearUnknown

from .engine import PlanCycleError
from .printing import plan_pdf
from .selectors import plan_for_request


@signed_in
def request_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's 预排工期: planned and predicted dates, the critical path, plan versus actual."""
    service_request = get_object_or_404(
        requests_visible_to(request.user).select_related("project", "jurisdiction", "applicant"), pk=pk
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


@signed_in
def request_plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(
        requests_visible_to(request.user).select_related("project", "jurisdiction", "applicant"), pk=pk
    )
    try:
        plan = plan_for_request(service_request)
    except (CalendarYearUnknown, PlanCycleError) as exc:
        return HttpResponse(
            getattr(exc, "user_message", str(exc)), status=409, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(plan_pdf(service_request, plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{service_request.reference}.pdf"'
    return response
