"""HMAC-SHA256 request signing (ADR 0020).

A client signs `METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nSHA256(BODY)` with its secret and sends
`Authorization: DAIBAN-HMAC-SHA256 KeyId=…, Timestamp=…, Nonce=…, Signature=…` (hex). The server refuses a
timestamp more than five minutes away from its clock and a nonce it has seen within that window (kept in
the cache), so a captured request cannot be replayed. Secrets are derived from the server's key secret
and a per-key salt, so the database alone never yields one."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

SCHEME = "DAIBAN-HMAC-SHA256"
MAX_SKEW_SECONDS = 300


def _server_secret() -> bytes:
    return str(getattr(settings, "DAIBAN_API_KEY_SECRET", "") or settings.SECRET_KEY).encode()


def derive_secret(key_id: str, salt: str) -> str:
    return hmac.new(_server_secret(), f"{key_id}:{salt}".encode(), hashlib.sha256).hexdigest()


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_id() -> str:
    return "ak_" + secrets.token_hex(12)


def new_salt() -> str:
    return secrets.token_hex(16)


def string_to_sign(method: str, full_path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join([method.upper(), full_path, timestamp, nonce, hashlib.sha256(body).hexdigest()])


def sign(secret: str, method: str, full_path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = string_to_sign(method, full_path, timestamp, nonce, body)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def authorization_header(
    *, key_id: str, secret: str, method: str, full_path: str, body: bytes, timestamp: int, nonce: str
) -> str:
    """What a client sends (the simulator and the tests use it; docs/api.md shows the same in prose)."""
    signature = sign(secret, method, full_path, str(timestamp), nonce, body)
    return f"{SCHEME} KeyId={key_id}, Timestamp={timestamp}, Nonce={nonce}, Signature={signature}"


@dataclass(frozen=True)
class SignedHeader:
    key_id: str
    timestamp: str
    nonce: str
    signature: str


def parse_header(value: str) -> SignedHeader | None:
    scheme, _, rest = value.partition(" ")
    if scheme != SCHEME:
        return None
    parts: dict[str, str] = {}
    for piece in rest.split(","):
        name, sep, val = piece.strip().partition("=")
        if sep:
            parts[name] = val.strip()
    try:
        header = SignedHeader(parts["KeyId"], parts["Timestamp"], parts["Nonce"], parts["Signature"])
    except KeyError:
        return None
    if not (header.timestamp.isdigit() and 8 <= len(header.nonce) <= 64 and len(header.key_id) <= 32):
        return None
    return header
