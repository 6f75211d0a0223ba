"""Password validators whose messages Django's own Chinese translation lacks.

Django 5.2's zh_Hans catalogue has no entry for the minimum-length error (its wording changed), so a person
choosing a short password was told in English. The subclass says the same thing through our catalogue;
`common/tests/test_passwords.py` checks every configured validator's messages are Chinese."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(min_length)d character.",
            "This password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
