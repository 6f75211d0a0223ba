"""Middleware of the common layer: what the audit trail needs from every request (where it comes from,
and every refusal), and a Chinese "service temporarily unavailable" page (503, Retry-After) when the
database drops while a page is being served, instead of a bare 500 — a page that needs neither the database
nor the site's navigation."""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string

from .audit import AuditVerb, from_address, record

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def client_address(request: HttpRequest) -> str | None:
    """The client's address: `REMOTE_ADDR`, or behind the county's reverse proxy the header it sets
    (`DAIBAN_CLIENT_IP_HEADER`, e.g. `HTTP_X_REAL_IP`; for X-Forwarded-For the proxy's own addition, the
    last one). Anything that is not an IP address is ignored rather than stored."""
    header: str = getattr(settings, "DAIBAN_CLIENT_IP_HEADER", "REMOTE_ADDR")
    raw = request.META.get(header) or ""
    value = raw.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class AuditMiddleware:
    """Stamps every entry recorded while serving a request with the client's address, and records every
    403 answered (等保 安全审计: refused access) — whether a permission rule or a view raised it or a view
    rendered its page with status 403 — with the reason when there was one. The refusal is a write of its
    own, made after the view's work was rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with from_address(client_address(request)):
            response = self.get_response(request)
            if response.status_code == 403:
                reason = getattr(request, "_refusal_reason", "")
                record(
                    actor=getattr(request, "user", None),
                    verb=AuditVerb.ACCESS_REFUSED,
                    target=None,
                    label=f"{request.method} {request.path}",
                    after={"reason": reason[:500]} if reason else None,
                )
            return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            request._refusal_reason = str(exception)  # type: ignore[attr-defined]


class DatabaseUnavailableMiddleware:
    """The 503 page when the database cannot be reached; other errors go to the 500 handler as before."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable while serving %s", request.path, exc_info=exception)
        response = HttpResponse(render_to_string("common/unavailable.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
