"""The password policy (等保 身份鉴别: 口令复杂度、定期更换). Configured in AUTH_PASSWORD_VALIDATORS, so every
way a password is set — the change and reset pages, the admin, `createsuperuser` — applies it."""

import string
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import PasswordRecord

CHARACTER_CLASSES = (
    set(string.ascii_lowercase),
    set(string.ascii_uppercase),
    set(string.digits),
)


def character_classes(password: str) -> int:
    """How many of the four classes (lower case, upper case, digits, anything else) the password uses."""
    used = sum(1 for chars in CHARACTER_CLASSES if chars.intersection(password))
    others = any(not any(c in chars for chars in CHARACTER_CLASSES) for c in password)
    return used + int(others)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message of our own: Django's Chinese catalogue misses its plural forms."""

    def get_error_message(self) -> str:
        return ngettext(
            "The password is too short: it needs at least %(n)d character.",
            "The password is too short: it needs at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext("At least %(n)d character.", "At least %(n)d characters.", self.min_length) % {
            "n": self.min_length
        }


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("At least %(n)d of: lower-case letters, upper-case letters, digits, other characters.") % {
            "n": self.min_classes
        }


class PasswordHistoryValidator:
    """Refuses the person's last `keep` passwords, and remembers each new one (Django calls
    `password_changed` whenever a user with a newly set password is saved)."""

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep

    def recent(self, user: Any) -> list[str]:
        if user is None or user.pk is None:
            return []
        return list(
            PasswordRecord.objects.filter(user_id=user.pk).values_list("encoded", flat=True)[: self.keep]
        )

    def validate(self, password: str, user: Any = None) -> None:
        if any(check_password(password, encoded) for encoded in self.recent(user)):
            raise ValidationError(
                _("This password was one of your last %(n)d; choose a new one.") % {"n": self.keep},
                code="password_reused",
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        PasswordRecord.objects.create(user_id=user.pk, encoded=user.password)
        stale = PasswordRecord.objects.filter(user_id=user.pk).values_list("id", flat=True)[self.keep :]
        PasswordRecord.objects.filter(id__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return _("Not one of your last %(n)d passwords.") % {"n": self.keep}
