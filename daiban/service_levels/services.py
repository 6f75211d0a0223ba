"""The one write of service levels: `set_service_levels`, used by the admin's form checks' twin and by the
onboarding of a jurisdiction."""

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record, snapshot
from daiban.organizations.models import Jurisdiction

from .models import FIELD_OF, MAX_DAYS, Promise, ServiceLevel


def check_levels(levels: Mapping[str, object]) -> dict[str, int]:
    """The limits by promise, each a whole number of working days from 1 to `MAX_DAYS`; a message naming
    the promise otherwise. Promises not named keep their value."""
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for key, value in levels.items():
        if key not in FIELD_OF:
            errors[str(key)] = _("Unknown promise %(key)s.") % {"key": key}
            continue
        label = Promise(key).label
        if isinstance(value, bool) or not isinstance(value, int):
            errors[key] = _("%(promise)s: the limit must be a whole number of working days.") % {
                "promise": label
            }
        elif not 1 <= value <= MAX_DAYS:
            errors[key] = _("%(promise)s: the limit must be between 1 and %(max)s working days.") % {
                "promise": label,
                "max": MAX_DAYS,
            }
        else:
            clean[key] = value
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def set_service_levels(
    *,
    jurisdiction: Jurisdiction,
    levels: Mapping[str, object],
    by: AbstractBaseUser | AnonymousUser | None,
    confirmed: bool = True,
    source: str = "",
) -> ServiceLevel:
    """Set a jurisdiction's limits (working days by promise, e.g. `{"acceptance": 1}`); nothing is saved
    if any is refused. Clocks already running keep the limit they started under."""
    clean = check_levels(levels)
    level = ServiceLevel.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
    before = snapshot(level) if level is not None else None
    if level is None:
        level = ServiceLevel(jurisdiction=jurisdiction)
    for key, days in clean.items():
        setattr(level, FIELD_OF[Promise(key)], days)
    level.confirmed = confirmed
    if source:
        level.source = source[:255]
    level.full_clean()
    level.save()
    record(
        actor=by, verb=AuditVerb.SERVICE_LEVELS_CHANGED, target=level, before=before, after=snapshot(level)
    )
    return level
