"""Delivery channels behind one interface: `send(address, title, body)` raises `ChannelError` on failure.

SMS goes through a gateway adapter chosen by `DAIBAN_SMS_GATEWAY` (a dotted path), so a county plugs in
its own provider without touching the rest.
"""

import json
import logging
import urllib.request
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ChannelError(Exception):
    pass


class Channel(Protocol):
    def send(self, address: str, title: str, body: str) -> None: ...


class EmailChannel:
    def send(self, address: str, title: str, body: str) -> None:
        try:
            send_mail(title, body or title, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
        except Exception as exc:  # SMTP errors come in many shapes; all mean "try again later"
            raise ChannelError(str(exc)[:255]) from exc


class ConsoleSmsGateway:
    """Development: writes the SMS to the log instead of sending it."""

    def send(self, address: str, title: str, body: str) -> None:
        logger.info("SMS to %s: %s %s", address, title, body)


class HttpSmsGateway:
    """A provider that accepts `POST {mobile, text}` as JSON with a bearer token (DAIBAN_SMS_URL, _TOKEN)."""

    def send(self, address: str, title: str, body: str) -> None:
        if not settings.DAIBAN_SMS_URL.startswith(("https://", "http://")):
            raise ChannelError("DAIBAN_SMS_URL is not configured")
        payload = json.dumps({"mobile": address, "text": f"{title} {body}".strip()}).encode()
        req = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            settings.DAIBAN_SMS_URL,
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.DAIBAN_SMS_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310
                if response.status >= 300:
                    raise ChannelError(f"gateway answered {response.status}")
        except OSError as exc:
            raise ChannelError(str(exc)[:255]) from exc


class RecordingSmsGateway:
    """For tests: keeps what it sent, and can be switched off to play a gateway that is down."""

    sent: ClassVar[list[tuple[str, str]]] = []
    down: ClassVar[bool] = False

    def send(self, address: str, title: str, body: str) -> None:
        if RecordingSmsGateway.down:
            raise ChannelError("gateway unavailable")
        RecordingSmsGateway.sent.append((address, title))


def channel_for(name: str) -> Channel:
    if name == "email":
        return EmailChannel()
    if name == "sms":
        gateway: Channel = import_string(settings.DAIBAN_SMS_GATEWAY)()
        return gateway
    raise ValueError(f"unknown channel {name!r}")
