"""What a signed-in request must pass before it reaches any page (after authentication, before the views):
an expired staff password sends the person to the change page.

Pages a person still needs on the way (sign-out, the change page itself, switching language) are named once
in `ON_THE_WAY`."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from . import services, stamps

ViewFunc = Callable[..., HttpResponseBase]

ON_THE_WAY = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "healthz",
        "admin_sign_in",
        "accounts:password_change",
    }
)


def _url_name(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


class AccountControlsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: ViewFunc, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        user = request.user
        if not user.is_authenticated or _url_name(request) in ON_THE_WAY:
            return None
        if services.password_expired(user, stamps.password_set_at(request.session, user)):
            return redirect("accounts:password_change")
        return None
