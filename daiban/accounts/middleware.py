"""What a signed-in request must pass before it reaches any page (after authentication, before the views):
a session neither idle too long nor too old (else signed out), the second factor where required or enrolled
(else to the verification or enrolment page), then an unexpired staff password (else to the change page).

Pages a person still needs on the way (sign-out, the change page itself, switching language) are named once
in the `ON_THE_WAY_*` sets."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import second_factor, services, sessions, stamps

ViewFunc = Callable[..., HttpResponseBase]

ANY_TIME = frozenset({"login", "logout", "set_language", "healthz", "admin_sign_in", "admin_sign_out"})
ON_THE_WAY_TO_SECOND_FACTOR = ANY_TIME | {"accounts:otp_verify", "accounts:otp_enrol"}
ON_THE_WAY_TO_NEW_PASSWORD = ANY_TIME | {"accounts:password_change"}


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
        if not user.is_authenticated:
            return None
        name = _url_name(request)
        session = request.session
        if sessions.expired(session, user, timezone.now()):
            sessions.record_sign_out(user=user, session_key=session.session_key, expired=True)
            logout(request)
            messages.info(request, _("You were signed out after a while without activity. Sign in again."))
            return redirect_to_login(request.get_full_path())
        if not second_factor.is_verified(session) and (
            second_factor.second_factor_required(user) or stamps.has_second_factor(session, user)
        ):
            if name in ON_THE_WAY_TO_SECOND_FACTOR:
                return None
            target = "accounts:otp_verify" if second_factor.has_second_factor(user) else "accounts:otp_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if name not in ON_THE_WAY_TO_NEW_PASSWORD and services.password_expired(
            user, stamps.password_set_at(session, user)
        ):
            return redirect("accounts:password_change")
        return None
