from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from daiban.common.access import signed_in
from daiban.organizations.auth import AuthenticatedRequest

from .selectors import notifications_for
from .services import mark_read


@signed_in
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@signed_in
@require_POST
def read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    mark_read(notification=notification, by=request.user)
    return redirect(notification.url or "notifications:inbox")
