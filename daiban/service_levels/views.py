"""The promises page: what the viewer has promised (or oversees) and where each stands."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from daiban.organizations.auth import AuthenticatedRequest

from .permissions import promise_viewers
from .selectors import open_clocks, standings


@promise_viewers
def promises(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = standings(open_clocks(request.user), today)
    return render(request, "service_levels/promises.html", {"rows": rows})
