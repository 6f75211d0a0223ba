"""Validators for codes that carry their own check, and for dates of things that happened: they say what
is wrong in the user's language."""

import datetime as dt

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def normalize_uscc(value: str) -> str:
    return uscc.compact(value or "")


def is_degenerate_uscc(code: str) -> bool:
    """A code whose check character happens to fit but that no registry issues: the registration authority
    (first character) 0, an administrative division (characters 3–8) or an organisation code (9–17) of
    zeros only, or one character repeated before the check ('000000000000000000' passes the check)."""
    return len(set(code[:17])) == 1 or code[:1] == "0" or code[2:8] == "000000" or code[8:17] == "000000000"


def validate_uscc(value: str) -> None:
    """Unified social credit code (GB 32100-2015): 18 characters, the last one a check character, and not a
    placeholder (`is_degenerate_uscc`)."""
    try:
        uscc.validate(value)
    except InvalidLength as exc:
        raise ValidationError(
            _("The unified social credit code must be 18 characters long."), code="uscc_length"
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The check character of the unified social credit code is wrong; please check the code."),
            code="uscc_checksum",
        ) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError(
            _(
                "The unified social credit code contains characters that are not allowed "
                "(digits and capital letters except I, O, Z, S, V)."
            ),
            code="uscc_format",
        ) from exc
    if is_degenerate_uscc(uscc.compact(value)):
        raise ValidationError(
            _("This is not a unified social credit code issued to an organisation; please check the code."),
            code="uscc_placeholder",
        )


def validate_resident_id(value: str) -> None:
    """Resident identity card number (GB 11643): 18 characters with check digit and a real birth date."""
    try:
        ric.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(_("The check digit of the ID number is wrong."), code="ric_checksum") from exc
    except (InvalidLength, InvalidFormat, InvalidComponent) as exc:
        raise ValidationError(_("This is not a valid resident ID number."), code="ric_invalid") from exc


def validate_mobile(value: str) -> None:
    """A mainland China mobile number (11 digits). Landlines are refused: agents send SMS reminders."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Please enter an 11-digit mobile number."), code="mobile_invalid") from exc
    number_type = phonenumbers.number_type(number)
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or number_type
        not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
        or len(str(number.national_number)) != 11
    ):
        raise ValidationError(_("Please enter an 11-digit mobile number."), code="mobile_invalid")


def normalize_mobile(value: str) -> str:
    """The 11-digit national form of a mobile number typed with spaces, dashes or +86."""
    try:
        return str(phonenumbers.parse(value, "CN").national_number)
    except phonenumbers.NumberParseException:
        return (value or "").strip()


def future_date_error(day: dt.date) -> str | None:
    """The one rule for the date of something that already happened: not after today (local time)."""
    return str(_("The date cannot be in the future.")) if day > timezone.localdate() else None


def validate_not_in_future(day: dt.date, *, field: str) -> None:
    error = future_date_error(day)
    if error is not None:
        raise ValidationError({field: error})


# The one rule for dates people type or ask for: the service and its records start in 2000 (quarters and
# the working-day calendar agree), and nothing is planned more than YEARS_AHEAD years ahead. A date outside
# is a typing mistake (1900, 2099), never data, and would only break the arithmetic that follows.
EARLIEST_DATE = dt.date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_date() -> dt.date:
    return dt.date(timezone.localdate().year + YEARS_AHEAD, 12, 31)


def date_bounds_error(day: dt.date) -> str | None:
    if EARLIEST_DATE <= day <= latest_date():
        return None
    return str(
        _("Enter a date from %(first)s to %(last)s.")
        % {"first": EARLIEST_DATE.isoformat(), "last": latest_date().isoformat()}
    )


def validate_date_in_range(day: dt.date) -> None:
    """A field validator (models and forms) for every date a person types."""
    error = date_bounds_error(day)
    if error is not None:
        raise ValidationError(error, code="date_out_of_range")
