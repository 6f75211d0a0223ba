"""Sign-in and the account pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.common.access import public
from daiban.organizations.auth import AuthenticatedRequest

from . import services
from .permissions import administrators_only
from .selectors import locked_accounts_visible_to, people_administered_by


class SignInView(auth_views.LoginView):
    """Django's login view, with every outcome audited. django-axes (the first authentication backend)
    refuses a locked account or address before the password is checked; its middleware then answers with
    the lockout page."""

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        failures = getattr(self.request, "axes_failures_since_start", None)
        username = str(form.data.get("username", ""))
        if username and failures is not None:  # a password was really tried (and refused)
            services.record_failed_sign_in(
                username=username,
                failures=int(failures),
                locked=bool(getattr(self.request, "axes_locked_out", False)),
            )
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        services.record_sign_in(user=form.get_user())
        return response


sign_in = public(SignInView.as_view())


@administrators_only
def lockouts(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "accounts/lockouts.html", {"locked": locked_accounts_visible_to(request.user)})


@administrators_only
@require_POST
def unlock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_administered_by(request.user), pk=pk)
    services.unlock_account(user=person, by=request.user)
    messages.success(request, _("%(name)s can sign in again.") % {"name": person.display_name})
    return redirect("accounts:lockouts")


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: object
) -> HttpResponse:
    """The lockout page django-axes answers with (AXES_LOCKOUT_CALLABLE): 429, in Chinese."""
    cool_off = settings.AXES_COOLOFF_TIME
    return render(
        request,
        "accounts/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        },
        status=429,
    )


@public
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin has no sign-in of its own: one sign-in page (throttled, audited, second factor) for all."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
