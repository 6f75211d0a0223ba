"""Types for the person behind a request.

`HttpRequest.user` is a `User` or an `AnonymousUser`. A view behind a permission rule that requires login
(`Rule.login_required`, true for every rule but `PUBLIC`; see `daiban.common.access.permission_rule`) only
runs once the visitor has signed in: the rule redirects anonymous visitors to the login page before calling
it. Such views take an `AuthenticatedRequest`, so `request.user` is the project's `User` and can be passed
to services as the acting person (`by=request.user`) without casts. Public views keep `HttpRequest`.

Selectors and yes/no checks, which also answer for anonymous visitors (with nothing, or no), take a `Viewer`.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .models import User

Viewer: TypeAlias = User | AnonymousUser
"""Whoever asks: a signed-in person or an anonymous visitor, as `HttpRequest.user` is."""


class AuthenticatedRequest(HttpRequest):
    """A request that reached a view behind a login-requiring permission rule: `user` is signed in.

    Only an annotation: at run time the object is Django's own request; the rule's redirect guarantees
    the narrower `user`."""

    user: User
