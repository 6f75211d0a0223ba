"""Writes to routing policies (ADR 0022): choose a jurisdiction's policy and its parameters, from the
admin, a data file or the onboarding command. Requests already submitted keep their stored routing."""

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record, snapshot
from daiban.organizations.models import Jurisdiction, User

from ..models import RoutingPolicy
from ..routing import strategy

ROUTING_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "routing"


@transaction.atomic
def set_routing_policy(
    *, jurisdiction: Jurisdiction, policy: str, parameters: Mapping[str, Any] | None, by: User | None
) -> RoutingPolicy:
    """Choose how `jurisdiction` routes new requests: a named strategy and its parameters (checked, the
    defaults filled in). Audited with what it was before."""
    cleaned = strategy(policy).clean(parameters, jurisdiction)
    current = RoutingPolicy.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
    before = snapshot(current, ["policy", "parameters"]) if current is not None else None
    if current is None:
        current = RoutingPolicy(jurisdiction=jurisdiction)
    current.policy = policy
    current.parameters = cleaned
    current.changed_by = by
    current.save()
    record(
        actor=by,
        verb=AuditVerb.ROUTING_POLICY_CHANGED,
        target=current,
        before=before,
        after=snapshot(current, ["policy", "parameters"]),
    )
    return current


def load_routing_policy(*, path: Path, by: User | None = None) -> RoutingPolicy:
    """A policy from a data file: `jurisdiction = "<code>"`, `policy = "<name>"`, `[parameters]`.
    A bad file is refused with its name and the field; nothing is written."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"{path.name}: {exc}") from exc
    code, policy = data.get("jurisdiction"), data.get("policy")
    jurisdiction = Jurisdiction.objects.filter(code=str(code)).first() if code else None
    if jurisdiction is None:
        raise ValidationError(
            f"{path.name}: jurisdiction: " + _("unknown jurisdiction %(code)s") % {"code": code}
        )
    try:
        return set_routing_policy(
            jurisdiction=jurisdiction, policy=str(policy or ""), parameters=data.get("parameters"), by=by
        )
    except ValidationError as exc:
        raise ValidationError(f"{path.name}: " + "; ".join(exc.messages)) from exc


def routing_data_files() -> list[Path]:
    return sorted(ROUTING_DATA_DIR.glob("*.toml"))
