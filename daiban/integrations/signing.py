"""Signing webhook bodies, and checking a signature on the subscriber's side.

Standard library only, so a subscriber can copy this file. What is signed: the decimal Unix timestamp,
a full stop, and the exact body bytes — `HMAC-SHA256(secret, f"{timestamp}." + body)`, hex-encoded and
sent as `X-Daiban-Signature: v1=<hex>` beside `X-Daiban-Timestamp: <timestamp>`. The timestamp is signed
so a captured delivery cannot be replayed later; subscribers refuse one older than a few minutes and drop a
repeated `X-Daiban-Delivery` id (a retry of a delivery they already processed).
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Daiban-Signature"
TIMESTAMP_HEADER = "X-Daiban-Timestamp"
DELIVERY_HEADER = "X-Daiban-Delivery"
EVENT_HEADER = "X-Daiban-Event"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Daiban-Signature` value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """The subscriber's check: the signature is ours for this body and timestamp, and the timestamp is
    within `tolerance` seconds of now. Compares in constant time."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature.strip())
