"""What identity needs to remember beyond Django's user: past passwords, reset codes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordRecord(models.Model):
    """One password a person has had: its hash (as Django stores it) and when it was set. The newest row
    dates the current password (expiry); the last few refuse re-use (history)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="password_records",
    )
    encoded = models.CharField(_("password hash"), max_length=128)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("password record")
        verbose_name_plural = _("password records")
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["user", "-set_at"], name="password_record_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"


class ResetCode(models.Model):
    """A request for a password-reset code. A row is written whether or not the account exists (`user` is
    empty then), so the rate limits and the answer are the same either way. The code is kept only as a keyed
    hash; it expires, is used once, and dies after a few wrong tries. A walk-in enterprise's first password
    is set with the same kind of code (`ACTIVATION`), sent when the window opens its account: either proves
    the mobile number, so either sets the password."""

    class Purpose(models.TextChoices):
        RESET = "reset", _("password reset")
        ACTIVATION = "activation", _("account activation")

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.RESET)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reset_codes",
    )
    identifier_digest = models.CharField(_("account named (digest)"), max_length=64, db_index=True)
    address = models.GenericIPAddressField(_("requested from"), null=True, blank=True)
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)

    class Meta:
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.identifier_digest[:8]} {self.created_at:%Y-%m-%d %H:%M}"


class SignedInSession(models.Model):
    """Which sessions a person has open: the index that lets a new staff sign-in end the older sessions of
    the account, and "sign out everywhere" end them all, without scanning the session store."""

    session_key = models.CharField(_("session key"), max_length=40, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
    )
    signed_in_at = models.DateTimeField(_("signed in at"), auto_now_add=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        ordering = ["-signed_in_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.signed_in_at:%Y-%m-%d %H:%M}"
