"""`AuthenticatedRequest` is only a promise to the type checker: these tests hold the URLs to it."""

import inspect
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

from daiban.common.access import rule_of
from daiban.organizations.auth import AuthenticatedRequest


def _patterns(entries: list[URLPattern | URLResolver]) -> Iterator[URLPattern]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns)
        else:
            yield entry


def test_a_view_taking_an_authenticated_request_requires_login() -> None:
    promised = []
    for pattern in _patterns(get_resolver().url_patterns):
        rule = rule_of(pattern.callback)
        if rule is None:
            continue  # admin views: the admin site signs people in itself
        first = next(iter(inspect.signature(pattern.callback, eval_str=True).parameters.values()))
        if first.annotation is AuthenticatedRequest:
            promised.append(pattern.lookup_str)
            assert rule.login_required, f"{pattern.lookup_str} is public but types its user as signed in"
    assert len(promised) > 50
