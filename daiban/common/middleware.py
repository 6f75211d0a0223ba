"""Request-wide context the audit trail needs: where each request comes from."""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from .audit import from_address


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


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with from_address(client_address(request)):
            return self.get_response(request)
