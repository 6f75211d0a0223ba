import logging
import sys

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from .access import public
from .health import database_failure, redis_failure, storage_failure

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Cheap and touching nothing else, so a database outage does not get
    every app server restarted; readiness (`readyz`) is what takes a server out of the proxy's rotation."""
    return HttpResponse("ok", content_type="text/plain")


@public
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers a query, Redis (when the jobs run on it) a PING, and uploads can be
    written. 503 with the names of what failed, so the proxy stops sending requests and the operator knows
    where to look."""
    failures = {"database": database_failure(connection), "storage": storage_failure(default_storage)}
    if settings.REDIS_URL:
        failures["redis"] = redis_failure(settings.REDIS_URL)
    failed = sorted(name for name, error in failures.items() if error)
    body = {
        "status": "unavailable" if failed else "ok",
        "failed": failed,
        "checks": {name: error or "ok" for name, error in failures.items()},
    }
    return JsonResponse(body, status=503 if failed else 200)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: when what failed was the database (down, restarting, unreachable) — in a view, a
    decorator, a middleware reading the session, or the page's rendering — the Chinese "service temporarily
    unavailable" page (503, Retry-After) that needs neither the database nor the site's navigation;
    otherwise the 500 page. Django calls it inside its exception handler, so the exception is at hand."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("database unavailable while serving %s", request.path, exc_info=exception)
        response = HttpResponse(render_to_string("common/unavailable.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
