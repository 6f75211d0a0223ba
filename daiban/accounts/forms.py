from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from daiban.organizations.models import User

from .services import account_named


class NewPasswordMixin(forms.Form):
    """Two entries of a new password, checked against the whole policy for the account it is for."""

    new_password1 = forms.CharField(
        label=_("new password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=128,
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("new password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=128,
    )

    def account(self) -> User:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.account())
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


class ChangePasswordForm(NewPasswordMixin):
    old_password = forms.CharField(
        label=_("current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        strip=False,
        max_length=128,
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def account(self) -> User:
        return self.user

    def clean_old_password(self) -> str:
        old: str = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise ValidationError(_("The current password is not right."), code="password_incorrect")
        return old


IDENTIFIER = forms.CharField(
    label=_("username, mobile number or e-mail"),
    max_length=150,
    widget=forms.TextInput(attrs={"autofocus": True}),
)


class ResetRequestForm(forms.Form):
    identifier = IDENTIFIER


class ResetForm(NewPasswordMixin):
    identifier = IDENTIFIER
    code = forms.RegexField(
        label=_("verification code"),
        regex=r"^[0-9]{6}$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    field_order = ["identifier", "code", "new_password1", "new_password2"]

    def account(self) -> User:
        """The account the code is for, to check the new password against; a stand-in when there is none, so
        the answer does not tell whether the account exists."""
        identifier = str(self.cleaned_data.get("identifier", ""))
        return account_named(identifier) or User(username=identifier)


CODE = forms.RegexField(
    label=_("verification code"),
    regex=r"^[0-9]{6}$",
    error_messages={"invalid": _("The code has 6 digits.")},
    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
)


class ActivationForm(NewPasswordMixin):
    """激活账户: the contact mobile the window registered, the code sent to it, and a password."""

    mobile = forms.RegexField(
        label=_("contact mobile"),
        regex=r"^1[3-9][0-9]{9}$",
        error_messages={"invalid": _("Enter the 11-digit mobile number the window registered.")},
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "tel"}),
    )
    code = CODE
    field_order = ["mobile", "code", "new_password1", "new_password2"]

    def account(self) -> User:
        """As for a reset: a stand-in when no account has this mobile, so the answer tells nothing."""
        mobile = str(self.cleaned_data.get("mobile", ""))
        return account_named(mobile) or User(username=mobile, mobile=mobile)


class WalkInAccountForm(forms.Form):
    full_name = forms.CharField(label=_("contact person"), max_length=64)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("verification code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
