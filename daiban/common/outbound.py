"""One HTTP exchange with another system under one total deadline (connect, send, status, headers, reply).

A socket timeout bounds each read only, so a peer trickling bytes would hold a worker (or a page) for ever;
a timer shuts the socket down when the deadline passes (ADR 0007). Redirects are not followed. Used by the
outbound adapters: webhooks and the provincial 好差评 system (integrations), the project-code lookup
(projects)."""

import contextlib
import http.client
import socket
import threading
import urllib.parse
from collections.abc import Mapping

MAX_REPLY_BYTES = 256 * 1024


class ExchangeError(Exception):
    """No complete answer: refused, reset, timed out, or not HTTP. The message says which (for logs)."""


def exchange(
    method: str, url: str, *, body: bytes | None = None, headers: Mapping[str, str], deadline: float
) -> tuple[int, bytes]:
    """(status, reply body up to MAX_REPLY_BYTES) of one request, or ExchangeError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ExchangeError(f"not an http(s) URL: {url[:100]}")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=deadline)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(deadline, expire)
    timer.daemon = True
    timer.start()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, body=body, headers=dict(headers))
        response = connection.getresponse()
        reply = response.read(MAX_REPLY_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            raise ExchangeError(f"no complete answer within {deadline:g} s") from exc
        raise ExchangeError(f"{type(exc).__name__}: {exc}"[:255]) from exc
    finally:
        timer.cancel()
        connection.close()
    if expired.is_set():
        raise ExchangeError(f"no complete answer within {deadline:g} s")
    return status, reply
