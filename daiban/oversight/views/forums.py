"""会议座谈: the reform office records its forums with enterprises and raises what it heard onto the
问题清单."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.common.forms import add_service_errors
from daiban.common.workflow import NotYourStep
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Unit

from ..forms import ForumForm, RaiseOpinionForm
from ..models import Forum
from ..permissions import supervisors_only
from ..selectors import forums_visible_to, supervised_jurisdictions
from ..services import ForumData, raise_opinion, record_forum

RAISE_TO = (Unit.Kind.TOWNSHIP, Unit.Kind.PARK, Unit.Kind.DEPARTMENT)  # where `raise_issue` accepts a unit


@supervisors_only
def forum_list(request: AuthenticatedRequest) -> HttpResponse:
    forums = forums_visible_to(request.user).select_related("jurisdiction").prefetch_related("opinions")
    page = Paginator(forums, 30).get_page(request.GET.get("page"))
    return render(request, "oversight/forum_list.html", {"page": page})


@supervisors_only
def forum_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ForumForm(request.POST or None, jurisdictions=supervised_jurisdictions(request.user))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            forum = record_forum(
                jurisdiction=c["jurisdiction"],
                data=ForumData(
                    held_on=c["held_on"],
                    place=c["place"],
                    host=c["host"],
                    enterprises=c["enterprises"],
                    attendees=c["attendees"],
                    opinions=c["opinions"].splitlines(),
                ),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The forum is recorded."))
            return redirect("oversight:forum_detail", pk=forum.pk)
    return render(
        request, "oversight/forum_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def _forum(request: AuthenticatedRequest, pk: int) -> Forum:
    return get_object_or_404(
        forums_visible_to(request.user).select_related("jurisdiction", "recorded_by"), pk=pk
    )


def _detail(
    request: AuthenticatedRequest, forum: Forum, errors: dict[int, list[str]], status: int = 200
) -> HttpResponse:
    opinions = forum.opinions.select_related("issue")
    units = Unit.objects.filter(jurisdiction=forum.jurisdiction, kind__in=RAISE_TO, is_active=True).order_by(
        "kind", "position", "id"
    )
    return render(
        request,
        "oversight/forum_detail.html",
        {"forum": forum, "opinions": opinions, "units": units, "errors": errors},
        status=status,
    )


@supervisors_only
def forum_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, _forum(request, pk), {})


@supervisors_only
@require_POST
def opinion_raise(request: AuthenticatedRequest, pk: int, opinion_pk: int) -> HttpResponse:
    """One opinion onto the issue list, for the unit it concerns (through the issue service)."""
    forum = _forum(request, pk)
    opinion = get_object_or_404(forum.opinions.all(), pk=opinion_pk)
    units = Unit.objects.filter(jurisdiction=forum.jurisdiction, kind__in=RAISE_TO, is_active=True)
    form = RaiseOpinionForm(request.POST, units=units)
    if form.is_valid():
        try:
            issue = raise_opinion(opinion=opinion, unit=form.cleaned_data["unit"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except NotYourStep as exc:
            return HttpResponse(str(exc), status=403, content_type="text/plain; charset=utf-8")
        else:
            messages.success(request, _("The opinion is on the issue list."))
            return redirect("oversight:issue_detail", pk=issue.pk)
    problems = [str(e) for errs in form.errors.values() for e in errs]
    return _detail(request, forum, {opinion.pk: problems}, status=400)
