from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Identity and sessions (等保 身份鉴别): sign-in with lockout, the password policy, password change and
    reset, the second factor, and the session limits."""

    name = "daiban.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
