from django.http import HttpRequest, HttpResponse

from .access import public


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the proxy in front of several app servers."""
    return HttpResponse("ok", content_type="text/plain")
