"""The audit trail. Every service function calls `record` inside its transaction, so an entry exists
exactly when the write it describes was committed."""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from .models import AuditEntry

JSONValue = Any


def jsonable(value: Any) -> JSONValue:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, JSONValue]:
    """The concrete field values of `instance` as JSON-ready data (foreign keys by id)."""
    names = (
        list(fields)
        if fields is not None
        else [f.name for f in instance._meta.concrete_fields if f.name not in {"password"}]
    )
    data: dict[str, JSONValue] = {}
    for name in names:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = jsonable(getattr(instance, attname))
    return data


def jurisdiction_code_of(target: models.Model) -> str:
    """The jurisdiction an audited record belongs to: a model names the path to it in
    `AUDIT_JURISDICTION` (dotted attributes ending at a jurisdiction), else its `jurisdiction` field.
    Records of no jurisdiction (national calendar, platform users) give ""."""
    path = getattr(target, "AUDIT_JURISDICTION", "jurisdiction")
    value: Any = target
    for name in path.split("."):
        value = getattr(value, name, None)
        if value is None:
            return ""
    return str(getattr(value, "code", ""))


def record(
    *,
    actor: AbstractBaseUser | None,
    verb: str,
    target: models.Model,
    before: dict[str, JSONValue] | None = None,
    after: dict[str, JSONValue] | None = None,
    jurisdiction_code: str | None = None,
) -> AuditEntry:
    """Write one audit entry. `verb` is dotted: `<noun>.<past participle>`, e.g. `project.created`.

    The jurisdiction is derived from the target (see `jurisdiction_code_of`) unless given."""
    if "." not in verb:
        raise ValueError(f"audit verbs are dotted, got {verb!r}")
    actor_obj: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        jurisdiction_code=jurisdiction_code_of(target) if jurisdiction_code is None else jurisdiction_code,
        before=before,
        after=after,
    )


def changed(before: dict[str, JSONValue], after: dict[str, JSONValue]) -> dict[str, JSONValue]:
    """The part of `before` whose values differ in `after` (for compact update entries)."""
    return {k: v for k, v in before.items() if after.get(k) != v}
