from django.http import HttpRequest, HttpResponse
from django.views import defaults

from .access import public
from .audit import AuditVerb, record


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the proxy in front of several app servers."""
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 page, after recording the refusal (等保 安全审计: who was refused what, from where).
    A refusal is recorded in its own small write: the view that refused has rolled its own work back."""
    record(
        actor=getattr(request, "user", None),
        verb=AuditVerb.ACCESS_REFUSED,
        target=None,
        label=f"{request.method} {request.path}",
        after={"reason": str(exception)[:500]} if str(exception) else None,
    )
    return defaults.permission_denied(request, exception)
