"""Who is calling: a signed external client (HMAC, ADR 0020) or a signed-in person (session, CSRF checked
for writes). Either way the caller's reads come from the same scoped selectors as the pages."""

import time
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from daiban.cases.models import ServiceRequest
from daiban.cases.selectors import requests_visible_to
from daiban.common.audit import AuditVerb, record
from daiban.common.middleware import client_address
from daiban.organizations.models import User

from . import signing
from .models import ApiClient, ApiKey, Scope

SESSION_SCOPES = frozenset({Scope.READ_CATALOGUE, Scope.READ_CASES})
SESSION_RATE_PER_MINUTE = 300
ANONYMOUS_RATE_PER_MINUTE = 120  # per client address, for the public jurisdictions and catalogue


class ApiProblem(Exception):
    """An error answered as problem details: HTTP status, machine code, Chinese detail."""

    def __init__(self, status: int, code: str, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}


@dataclass
class Caller:
    client: ApiClient | None = None
    user: User | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    address: str = ""  # an anonymous caller's address (its rate limit's key)

    @property
    def label(self) -> str:
        if self.client is not None:
            return f"client:{self.client.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return f"anonymous:{self.address}"

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise ApiProblem(403, "scope_missing", f"此调用需要“{scope}”权限范围。")

    def requests(self) -> QuerySet[ServiceRequest]:
        """The requests this caller may read: a client's jurisdiction, a person's pages' slice."""
        if self.client is not None:
            return ServiceRequest.objects.filter(Q(jurisdiction_id=self.client.jurisdiction_id))
        assert self.user is not None
        return requests_visible_to(self.user)


def _csrf_ok(request: HttpRequest) -> bool:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    return check_csrf(request) is None


def _throttle(caller: Caller) -> None:
    if caller.client is not None:
        limit = caller.client.rate_limit_per_minute
    else:
        limit = SESSION_RATE_PER_MINUTE if caller.user is not None else ANONYMOUS_RATE_PER_MINUTE
    window = int(time.time() // 60)
    key = f"api:rate:{caller.label}:{window}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    if count > limit:
        wait = 60 - int(time.time() % 60)
        raise ApiProblem(
            429, "rate_limited", f"调用过于频繁，请 {wait} 秒后再试。", headers={"Retry-After": str(wait)}
        )


def _refuse(request: HttpRequest, code: str, detail: str) -> ApiProblem:
    record(
        actor=None,
        verb=AuditVerb.API_CALL_REFUSED,
        target=None,
        label=f"{code} {request.method} {request.path}",
    )
    return ApiProblem(401, code, detail)


def _signed_client(request: HttpRequest, header: signing.SignedHeader) -> ApiClient:
    now = time.time()
    if abs(now - int(header.timestamp)) > signing.MAX_SKEW_SECONDS:
        raise _refuse(request, "timestamp_out_of_range", "请求时间戳与服务器时间相差超过 5 分钟。")
    key = ApiKey.objects.select_related("client__jurisdiction").filter(key_id=header.key_id).first()
    moment = timezone.now()
    if (
        key is None
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= moment)
        or not key.client.is_active
    ):
        raise _refuse(request, "key_invalid", "密钥不存在、已吊销或已过期。")
    secret = signing.derive_secret(key.key_id, key.salt)
    expected = signing.sign(
        secret, request.method or "GET", request.get_full_path(), header.timestamp, header.nonce, request.body
    )
    if not constant_time_compare(expected, header.signature):
        raise _refuse(request, "signature_invalid", "请求签名不正确。")
    if not cache.add(f"api:nonce:{key.key_id}:{header.nonce}", 1, timeout=2 * signing.MAX_SKEW_SECONDS):
        raise _refuse(request, "nonce_replayed", "此请求已处理过（随机数重复），拒绝重放。")
    return key.client


def identify(request: HttpRequest) -> Caller | None:
    value = request.headers.get("Authorization", "")
    if value:
        header = signing.parse_header(value)
        if header is None:
            raise _refuse(request, "authorization_malformed", "Authorization 请求头格式不正确。")
        client = _signed_client(request, header)
        caller = Caller(client=client, scopes=frozenset(client.scopes))
    elif request.user.is_authenticated:
        if not _csrf_ok(request):
            raise ApiProblem(403, "csrf_failed", "CSRF 校验失败，请刷新页面后重试。")
        assert isinstance(request.user, User)
        caller = Caller(user=request.user, scopes=SESSION_SCOPES)
    else:
        return None
    return admit(request, caller)


def admit(request: HttpRequest, caller: Caller) -> Caller:
    """Every call, signed, signed-in or anonymous: counted against its rate limit, then audited (the
    audit entry carries the caller's address, so an anonymous call is traceable too)."""
    _throttle(caller)
    target: Any = caller.client
    label = f"{request.method} {request.get_full_path()}"
    record(
        actor=caller.user,
        verb=AuditVerb.API_CALLED,
        target=target,
        label=(label if caller.client or caller.user else f"{label} ({caller.label})")[:255],
    )
    return caller


class ApiAuth(AuthBase):
    """HMAC-signed client or session; answers None (→ 401) for an anonymous caller."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "Authorization"
    openapi_description = "DAIBAN-HMAC-SHA256 KeyId=…, Timestamp=…, Nonce=…, Signature=… (see docs/api.md)"

    def __call__(self, request: HttpRequest) -> Caller | None:
        return identify(request)


class OptionalAuth(ApiAuth):
    """Public resources: anyone. A signed or signed-in caller is identified as elsewhere; an anonymous one
    is limited per client address (ANONYMOUS_RATE_PER_MINUTE) and audited like the others."""

    def __call__(self, request: HttpRequest) -> Caller | None:
        caller = identify(request)
        if caller is not None:
            return caller
        address = client_address(request) or "unknown"
        return admit(request, Caller(scopes=frozenset({Scope.READ_CATALOGUE}), address=address))
