from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from .access import public
from .health import database_failure, redis_failure, storage_failure


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
