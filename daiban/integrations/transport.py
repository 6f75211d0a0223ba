"""POST a delivery (webhooks, the provincial 好差评 system): one exchange under one total deadline
(`common.outbound`); anything but a 2xx is a failed attempt."""

from collections.abc import Mapping

from daiban.common.outbound import ExchangeError, exchange


class DeliveryError(Exception):
    """The peer may not have received the body, or refused it; the message says which, for the admin."""


def post(url: str, body: bytes, *, headers: Mapping[str, str], deadline: float) -> int:
    """POST `body` to `url`; the 2xx status, or DeliveryError."""
    try:
        status, _reply = exchange("POST", url, body=body, headers=headers, deadline=deadline)
    except ExchangeError as exc:
        raise DeliveryError(str(exc)) from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"answered HTTP {status}")
    return status
