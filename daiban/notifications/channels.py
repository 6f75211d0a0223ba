"""Delivery channels behind one interface: `send(address, title, body, key=...)` raises `ChannelError` when
the message may not have gone out. `key` is the message's idempotency key, the same on every attempt.

SMS goes through a gateway adapter chosen by `DAIBAN_SMS_GATEWAY` (a dotted path), so a county plugs in
its own provider without touching the rest. Delivery treats any exception from a channel as a failed attempt
(ADR 0007); `ChannelError` is the one adapters raise on purpose.
"""

import contextlib
import http.client
import json
import logging
import socket
import threading
import urllib.parse
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_REPLY_BYTES = 64 * 1024


class ChannelError(Exception):
    pass


class Channel(Protocol):
    def send(self, address: str, title: str, body: str, *, key: str) -> None: ...


class EmailChannel:
    def send(self, address: str, title: str, body: str, *, key: str) -> None:
        """The key becomes the Message-ID, which mail systems use to drop a retried duplicate."""
        message = EmailMessage(
            title,
            body or title,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            headers={"Message-ID": f"<{key}@daiban>", IDEMPOTENCY_HEADER: key},
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP errors come in many shapes; all mean "try again later"
            raise ChannelError(str(exc)[:255]) from exc


class ConsoleSmsGateway:
    """Development: writes the SMS to the log instead of sending it."""

    def send(self, address: str, title: str, body: str, *, key: str) -> None:
        logger.info("SMS %s to %s: %s %s", key, address, title, body)


class HttpSmsGateway:
    """A provider that accepts `POST {mobile, text}` as JSON with a bearer token (DAIBAN_SMS_URL, _TOKEN) and
    an `Idempotency-Key` header.

    The whole exchange — connect, send, status line, headers, reply — has one deadline
    (DAIBAN_SMS_DEADLINE_SECONDS): a socket timeout alone bounds each read, so a gateway trickling a byte
    at a time would hold the worker for ever. A timer shuts the socket down when the deadline passes.
    """

    def send(self, address: str, title: str, body: str, *, key: str) -> None:
        url = urllib.parse.urlsplit(settings.DAIBAN_SMS_URL)
        if url.scheme not in {"http", "https"} or not url.hostname:
            raise ChannelError("DAIBAN_SMS_URL is not configured")
        deadline = float(settings.DAIBAN_SMS_DEADLINE_SECONDS)
        connection_class = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(url.hostname, url.port, timeout=deadline)
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            if connection.sock is not None:
                with contextlib.suppress(OSError):  # already closed: the exchange ended as the timer fired
                    connection.sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(deadline, expire)
        timer.daemon = True
        timer.start()
        payload = json.dumps({"mobile": address, "text": f"{title} {body}".strip()}).encode()
        try:
            connection.request(
                "POST",
                url.path or "/",
                body=payload,
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {settings.DAIBAN_SMS_TOKEN}",
                    IDEMPOTENCY_HEADER: key,
                },
            )
            response = connection.getresponse()
            response.read(MAX_REPLY_BYTES)
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set():
                raise ChannelError(f"gateway gave no complete answer within {deadline:g} s") from exc
            raise ChannelError(f"{type(exc).__name__}: {exc}"[:255]) from exc
        finally:
            timer.cancel()
            connection.close()
        if expired.is_set():
            raise ChannelError(f"gateway gave no complete answer within {deadline:g} s")
        if not 200 <= status < 300:
            raise ChannelError(f"gateway answered {status}")


class RecordingSmsGateway:
    """For tests: keeps what it sent, and can be switched off to play a gateway that is down."""

    sent: ClassVar[list[tuple[str, str]]] = []
    keys: ClassVar[list[str]] = []
    down: ClassVar[bool] = False

    def send(self, address: str, title: str, body: str, *, key: str) -> None:
        if RecordingSmsGateway.down:
            raise ChannelError("gateway unavailable")
        RecordingSmsGateway.sent.append((address, title))
        RecordingSmsGateway.keys.append(key)


def channel_for(name: str) -> Channel:
    if name == "email":
        return EmailChannel()
    if name == "sms":
        gateway: Channel = import_string(settings.DAIBAN_SMS_GATEWAY)()
        return gateway
    raise ValueError(f"unknown channel {name!r}")
