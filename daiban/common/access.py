"""Explicit permission rules for every URL.

A view is reachable only if it carries a `Rule` (put there by `permission_rule`), or lives under a URL
namespace whose own machinery guards it (the Django admin). The middleware refuses anything else at run
time, and `find_unruled_urls` lets a test prove that no URL was added without a rule.

Rules decide *who may call the view at all* (role); views then read through `*_visible_to(user)`
selectors, which decide *which objects* (ownership). Both are needed.
"""

import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver

logger = logging.getLogger(__name__)

ViewFunc = Callable[..., HttpResponseBase]

# URL namespaces guarded by the framework that owns them, with the reason.
GOVERNED_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: AdminSite.has_permission (active staff only), then model permissions",
    "api": "JSON API (daiban.api): every operation authenticates (HMAC or session) and checks its scope; "
    "tested by daiban/api/tests/test_endpoint_scopes.py",
}


@dataclass(frozen=True)
class Rule:
    description: str
    check: Callable[[HttpRequest], bool]
    login_required: bool = True


def permission_rule(rule: Rule) -> Callable[[ViewFunc], ViewFunc]:
    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if rule.login_required and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule.check(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # A function object takes attributes, but its type declares none: the one ignore rule_of() reads back.
        guarded.permission_rule = rule  # type: ignore[attr-defined]
        return guarded

    return decorate


PUBLIC = Rule("anyone, signed in or not", lambda request: True, login_required=False)
SIGNED_IN = Rule("any signed-in user", lambda request: True)

public = permission_rule(PUBLIC)
signed_in = permission_rule(SIGNED_IN)


def rule_of(view: Callable[..., Any]) -> Rule | None:
    rule = getattr(view, "permission_rule", None)
    if rule is None:
        # `as_view()` functions keep the class on `view_class`; a rule on the class counts too.
        rule = getattr(getattr(view, "view_class", None), "permission_rule", None)
    return rule if isinstance(rule, Rule) else None


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespaces: tuple[str, ...]
) -> Iterator[tuple[str, tuple[str, ...], URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        else:
            yield prefix + str(entry.pattern), namespaces, entry


def find_unruled_urls(urlconf: str | None = None) -> list[str]:
    """Every URL pattern that has neither a rule nor a governing namespace."""
    missing = []
    for route, namespaces, pattern in _walk(get_resolver(urlconf).url_patterns, "", ()):
        if any(ns in GOVERNED_NAMESPACES for ns in namespaces):
            continue
        if rule_of(pattern.callback) is None:
            missing.append(f"{route} -> {pattern.lookup_str}")
    return missing


class PermissionRuleMiddleware:
    """Refuses any resolved view that carries no explicit rule (defence in depth for the URL test)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: ViewFunc, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and any(ns in GOVERNED_NAMESPACES for ns in match.namespaces):
            return None
        if rule_of(view_func) is None:
            logger.error("view without a permission rule refused: %s", getattr(match, "view_name", "?"))
            raise PermissionDenied
        return None
