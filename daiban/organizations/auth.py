"""Types for the person behind a request.

`HttpRequest.user` is a `User` or an `AnonymousUser`. A view behind a permission rule that requires login
(`Rule.login_required`, true for every rule but `PUBLIC`; see `daiban.common.access.permission_rule`) only
runs once the visitor has signed in: the rule redirects anonymous visitors to the login page before calling
it. Such views take an `AuthenticatedRequest`, so `request.user` is the project's `User` and can be passed
to services as the acting person (`by=request.user`) without casts. Public views keep `HttpRequest`.
"""

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    """A request that reached a view behind a login-requiring permission rule: `user` is signed in.

    Only an annotation: at run time the object is Django's own request; the rule's redirect guarantees
    the narrower `user`."""

    user: User
