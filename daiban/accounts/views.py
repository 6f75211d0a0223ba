"""Sign-in and the account pages."""

from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.common.access import public, signed_in
from daiban.organizations.auth import AuthenticatedRequest

from . import second_factor, services, sessions, stamps
from .forms import (
    ActivationForm,
    ChangePasswordForm,
    ResetForm,
    ResetRequestForm,
    SecondFactorForm,
    WalkInAccountForm,
)
from .models import SignedInSession
from .permissions import administrators_only, window_staff_only
from .selectors import enterprises_opened_by, locked_accounts_visible_to, people_administered_by


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
        user = form.get_user()
        stamps.stamp_sign_in(self.request.session, user)
        self.request.session.save()  # the key is what the index names
        services.record_sign_in(user=user)
        sessions.start(user=user, session=self.request.session, address=self.request.META.get("REMOTE_ADDR"))
        return response


sign_in = public(SignInView.as_view())


class SignOutView(auth_views.LogoutView):
    """Django's logout (POST only), audited and taken out of the session index."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            sessions.record_sign_out(user=request.user, session_key=request.session.session_key)
        return super().post(request, *args, **kwargs)


sign_out = signed_in(SignOutView.as_view())


@signed_in
@require_POST
def sign_out_everywhere(request: AuthenticatedRequest) -> HttpResponse:
    sessions.end_everywhere(user=request.user)
    auth_logout(request)
    messages.success(request, _("You were signed out on every device."))
    return redirect("login")


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


@signed_in
def account(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "password_set_at": (set_at := services.password_set_at(request.user)),
            "password_expired": services.password_expired(request.user, set_at),
            "has_second_factor": second_factor.has_second_factor(request.user),
            "second_factor_required": second_factor.second_factor_required(request.user),
            "open_sessions": SignedInSession.objects.filter(user=request.user),
        },
    )


@signed_in
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)  # stay signed in here, nowhere else
        stamps.stamp_password(request.session, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:account")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "expired": services.password_expired(request.user, services.password_set_at(request.user)),
        },
    )


@public
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a code. The answer is the same whether the account exists, has a mobile number or e-mail,
    or has asked too often."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_reset_code(
            identifier=form.cleaned_data["identifier"], address=request.META.get("REMOTE_ADDR")
        )
        messages.info(
            request,
            _(
                "If the account exists and has a mobile number or e-mail, a code is on its way; "
                "it is valid for %(minutes)d minutes."
            )
            % {"minutes": settings.DAIBAN_RESET_CODE_MINUTES},
        )
        return redirect(f"{reverse('accounts:password_reset_confirm')}")
    return render(request, "accounts/password_reset.html", {"form": form})


@public
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(
                identifier=form.cleaned_data["identifier"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except services.ResetRefused:
            form.add_error("code", _("The code is wrong, expired or already used. Ask for a new one."))
        else:
            messages.success(request, _("Your password was reset. Sign in with the new one."))
            return redirect("login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


@public
def activate(request: HttpRequest) -> HttpResponse:
    """激活账户: a walk-in enterprise sets its password with the code the window sent to its contact mobile.
    Every refusal reads the same, whether or not an account has that mobile."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activate_account(
                mobile=form.cleaned_data["mobile"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except services.ResetRefused:
            form.add_error("code", _("The code is wrong, expired or already used. Ask for a new one."))
        else:
            messages.success(
                request, _("Your account is active. Sign in with your mobile number and password.")
            )
            return redirect("login")
    return render(request, "accounts/activate.html", {"form": form})


@window_staff_only
def walk_in_account(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """开通网上账户: the window opens the online account of an enterprise it registered; the code goes by
    SMS to the contact mobile on the registration."""
    applicant = get_object_or_404(enterprises_opened_by(request.user), pk=pk)
    form = WalkInAccountForm(request.POST or None, initial={"full_name": applicant.contact_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.open_walk_in_account(
                applicant=applicant, full_name=form.cleaned_data["full_name"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The account is open; the activation code was sent by SMS to %(mobile)s.")
                % {"mobile": applicant.contact_mobile},
            )
            return redirect("accounts:walk_in_account", pk=applicant.pk)
    return render(
        request,
        "accounts/walk_in_account.html",
        {
            "applicant": applicant,
            "form": form,
            "holders": [link.user for link in applicant.representatives.select_related("user")],
            "waiting": services.walk_in_account_of(applicant),
            "activation_hours": settings.DAIBAN_ACTIVATION_CODE_HOURS,
        },
    )


@window_staff_only
@require_POST
def resend_activation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    applicant = get_object_or_404(enterprises_opened_by(request.user), pk=pk)
    try:
        services.resend_activation_code(applicant=applicant, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("A new activation code was sent to %(mobile)s.") % {"mobile": applicant.contact_mobile}
        )
    return redirect("accounts:walk_in_account", pk=applicant.pk)


def _next(request: HttpRequest) -> str:
    """Where to go after the second factor: the page first asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@signed_in
def otp_verify(request: AuthenticatedRequest) -> HttpResponse:
    if not second_factor.has_second_factor(request.user):
        return redirect(f"{reverse('accounts:otp_enrol')}?{urlencode({'next': _next(request)})}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.verify(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next(request))
        form.add_error(
            "code", _("The code is not right. Enter the current code from your app, or a recovery code.")
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@signed_in
def otp_enrol(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app. Someone who has one already must have used it in this session first (a
    password alone must not replace the second factor)."""
    if second_factor.has_second_factor(request.user) and not second_factor.is_verified(request.session):
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': _next(request)})}")
    device = second_factor.enrolling_totp(request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_enrolment(user=request.user, token=form.cleaned_data["code"])
        if codes is not None:
            confirmed = second_factor.confirmed_totp(request.user)
            django_otp.login(request, confirmed)
            request.session[stamps.HAS_SECOND_FACTOR] = True
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error(
            "code", _("The code is not right. Check the clock of your phone and enter the current code.")
        )
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1f2d3d")
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr": mark_safe(qr),  # noqa: S308 - segno's own SVG of our otpauth URL, no user text
            "secret": second_factor.secret_text(device),
            "next": _next(request),
            "required": second_factor.second_factor_required(request.user),
        },
    )
