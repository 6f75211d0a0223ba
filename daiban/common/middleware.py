"""Middleware of the common layer: what the audit trail needs from every request (where it comes from, and
every refusal)."""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponseBase

from .audit import AuditVerb, from_address, record

logger = logging.getLogger(__name__)


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
                self._record_refusal(request)
            return response

    def _record_refusal(self, request: HttpRequest) -> None:
        reason = getattr(request, "_refusal_reason", "")
        try:
            record(
                actor=getattr(request, "user", None),
                verb=AuditVerb.ACCESS_REFUSED,
                target=None,
                label=f"{request.method} {request.path}",
                after={"reason": reason[:500]} if reason else None,
            )
        except (OperationalError, InterfaceError):
            # The refusal stands; with the database gone it can only go to the log (and the monitoring).
            logger.exception("could not record a refusal of %s %s", request.method, request.path)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            request._refusal_reason = str(exception)  # type: ignore[attr-defined]
