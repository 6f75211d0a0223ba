"""A new district from one data file, no code (ADR 0024): its organisation, service zones, catalogue
overrides, routing policy and service levels. The whole file is checked first, every message naming the
file, the entry and the field, and then loaded in one transaction: on any error nothing is loaded."""

import hashlib
import json
import logging
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from daiban.cases.routing import strategy
from daiban.cases.services import set_routing_policy
from daiban.catalogue.services import CatalogueDataError, catalogue_from_data, load_catalogue_file
from daiban.common.audit import AuditVerb, record
from daiban.organizations.models import Jurisdiction, Unit, User
from daiban.organizations.services import OrganisationDataError, load_organisation_data
from daiban.service_levels.services import check_levels, set_service_levels

from .models import OnboardingRecord

log = logging.getLogger(__name__)

TOP_KEYS = {"jurisdiction", "units", "townships", "service_zones", "catalogue", "routing", "service_levels"}
UNIT_KEYS = {
    "kind",
    "code",
    "name",
    "short_name",
    "hosted_by",
    "park_kind",
    "address",
    "phone",
    "sections",
    "windows",
}
ZONE_KEYS = {"name", "service_centre", "address", "hours", "phone"}
CATALOGUE_KEYS = {"version", "base", "exclude", "effective_on", "overrides", "items"}
ROUTING_KEYS = {"policy", "parameters", "source"}
SLUG = re.compile(r"^[-a-z0-9_]+$")


class OnboardingDataError(ValueError):
    """The file is wrong; the message names the file, the entry and the field. Nothing was loaded."""


def _fail(file: str, entry: str, field: str, message: str) -> OnboardingDataError:
    return OnboardingDataError(f"{file}: {entry}: {field}: {message}")


def _table(value: object) -> TypeGuard[Mapping[str, Any]]:
    return isinstance(value, Mapping)


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_keys(file: str, entry: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(file, entry, ", ".join(unknown), "unknown key")


def _check_organisation(file: str, data: Mapping[str, Any]) -> dict[str, str]:
    """The organisation part; returns the units' kinds by code."""
    meta = data.get("jurisdiction")
    if not _table(meta):
        raise _fail(file, "jurisdiction", "jurisdiction", "is required")
    _check_keys(file, "jurisdiction", meta, {"code", "name", "level", "parent"})
    if not isinstance(meta.get("code"), str) or not re.fullmatch(r"\d{6}", meta["code"]):
        raise _fail(file, "jurisdiction", "code", "write the 6-digit administrative division code")
    if not _text(meta.get("name")):
        raise _fail(file, "jurisdiction", "name", "is required")
    if meta.get("parent") and not Jurisdiction.objects.filter(code=meta["parent"]).exists():
        raise _fail(file, "jurisdiction", "parent", f"jurisdiction {meta['parent']} is not loaded")
    units = data.get("units", [])
    if not isinstance(units, list) or not units:
        raise _fail(file, "units", "units", "list the units taking part")
    kinds: dict[str, str] = {}
    for index, unit in enumerate(units, start=1):
        if not _table(unit):
            raise _fail(file, f"units[{index}]", "units", "write each unit as a table")
        entry = f"unit {unit.get('code', index)}"
        _check_keys(file, entry, unit, UNIT_KEYS)
        for key in ("code", "name", "kind"):
            if not _text(unit.get(key)):
                raise _fail(file, entry, key, "is required")
        if not SLUG.match(unit["code"]):
            raise _fail(file, entry, "code", "use lower-case letters, digits and hyphens")
        if unit["code"] in kinds:
            raise _fail(file, entry, "code", "appears twice")
        if unit["kind"] not in Unit.Kind.values or unit["kind"] == Unit.Kind.TOWNSHIP:
            raise _fail(
                file, entry, "kind", f"unknown unit kind {unit['kind']!r} (townships go in [townships])"
            )
        if unit.get("hosted_by") and unit["hosted_by"] not in kinds:
            raise _fail(file, entry, "hosted_by", f"no unit {unit['hosted_by']!r} listed before it")
        if unit.get("park_kind") and unit["park_kind"] not in Unit.ParkKind.values:
            raise _fail(file, entry, "park_kind", f"unknown park kind {unit['park_kind']!r}")
        for key in ("sections", "windows"):
            rows = unit.get(key, [])
            codes = [r.get("code") if _table(r) else None for r in rows] if isinstance(rows, list) else [None]
            if not all(isinstance(c, str) and SLUG.match(c) for c in codes):
                raise _fail(file, entry, key, "every row needs a code (lower-case letters, digits, hyphens)")
            if not all(_text(r.get("name")) for r in rows):
                raise _fail(file, entry, key, "every row needs a name")
            if len(set(codes)) != len(codes):
                raise _fail(file, entry, key, "a code appears twice")
        kinds[unit["code"]] = unit["kind"]
    townships = data.get("townships", {})
    names = townships.get("names", []) if _table(townships) else None
    if not isinstance(names, list) or not all(_text(n) for n in names):
        raise _fail(file, "townships", "names", "list the townships' and streets' names")
    if len(set(names)) != len(names):
        raise _fail(file, "townships", "names", "a name appears twice")
    bad = [n for n in names if not n.endswith(("街道", "镇", "乡"))]
    if bad:
        raise _fail(file, f"township {bad[0]}", "names", "a name ends in 街道, 镇 or 乡")
    zones = data.get("service_zones", [])
    if not isinstance(zones, list) or not zones:
        raise _fail(
            file, "service_zones", "service_zones", "give the service zone's address, hours and phone"
        )
    seen: set[str] = set()
    for index, zone in enumerate(zones, start=1):
        if not _table(zone):
            raise _fail(file, f"service_zones[{index}]", "service_zones", "write each zone as a table")
        entry = f"service zone {zone.get('name', index)}"
        _check_keys(file, entry, zone, ZONE_KEYS)
        for key in sorted(ZONE_KEYS):
            if not _text(zone.get(key)):
                raise _fail(file, entry, key, "is required")
        if zone["name"] in seen:
            raise _fail(file, entry, "name", "appears twice")
        seen.add(zone["name"])
        if kinds.get(zone["service_centre"]) != Unit.Kind.SERVICE_CENTRE:
            raise _fail(
                file, entry, "service_centre", f"no service centre {zone['service_centre']!r} in units"
            )
        if len(zone["phone"]) > 32:
            raise _fail(file, entry, "phone", "at most 32 characters")
    return kinds


def _check_catalogue(file: str, data: Mapping[str, Any]) -> None:
    catalogue = data.get("catalogue")
    if not _table(catalogue):
        raise _fail(file, "catalogue", "catalogue", "is required (at least its version and base)")
    _check_keys(file, "catalogue", catalogue, CATALOGUE_KEYS)
    overrides = catalogue.get("overrides", {})
    if not _table(overrides):
        raise _fail(file, "catalogue", "overrides", "write one table per item code")
    for code, changes in overrides.items():
        if not _table(changes):
            raise _fail(file, f"item {code}", "overrides", "write the changed fields as a table")
        if not _text(changes.get("source")):
            raise _fail(
                file,
                f"item {code}",
                "source",
                "say where the local fact comes from (a district document, or 默认值，待区县确认)",
            )


def _check_rules(file: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """`[routing]` names one of the routing strategies (daiban.cases.routing; its parameters are checked
    against the new jurisdiction when they go into force, still inside the load's transaction) and
    `[service_levels]` gives working-day limits checked by the service-level rules themselves
    (daiban.service_levels) — one rule each, not a second copy here."""
    routing = data.get("routing", {})
    if not _table(routing):
        raise _fail(file, "routing", "routing", "write a table with the policy and its parameters")
    if routing:
        _check_keys(file, "routing", routing, ROUTING_KEYS)
        if not isinstance(routing.get("policy"), str) or not SLUG.match(routing["policy"]):
            raise _fail(file, "routing", "policy", "name the policy (lower-case letters, digits, hyphens)")
        try:
            strategy(routing["policy"])
        except ValidationError as exc:
            raise _fail(file, "routing", "policy", " ".join(exc.messages)) from exc
        if not _table(routing.get("parameters", {})):
            raise _fail(file, "routing", "parameters", "write the parameters as a table")
    levels = data.get("service_levels", {})
    if not _table(levels):
        raise _fail(file, "service_levels", "service_levels", "write a table of working-day limits")
    try:
        check_levels(levels)
    except ValidationError as exc:
        key, messages = next(iter(exc.message_dict.items()))
        raise _fail(file, "service_levels", key, messages[0]) from exc
    return dict(routing), dict(levels)


def read_onboarding_file(path: Path) -> tuple[dict[str, Any], bytes]:
    if not path.is_file():
        raise OnboardingDataError(f"{path}: no such file")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OnboardingDataError(f"{path.name}: {exc}") from exc
    _check_keys(path.name, "file", data, TOP_KEYS)
    return data, raw


def check_onboarding_data(file: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """Every rule of the file that can be checked before writing; the catalogue entries themselves are
    checked by the catalogue's own rules (`catalogue.services.check_entries`) inside the transaction."""
    _check_organisation(file, data)
    _check_catalogue(file, data)
    return _check_rules(file, data)


@transaction.atomic
def onboard_jurisdiction(*, path: Path, by: User | None = None) -> OnboardingRecord:
    """Load an onboarding file: organisation, service zones, catalogue (the base list with the district's
    overrides, as a new catalogue version), routing policy and service levels. One transaction; running
    the same file again changes nothing, a changed file updates the organisation and loads the catalogue
    under its (new) version number."""
    data, raw = read_onboarding_file(path)
    routing, levels = check_onboarding_data(path.name, data)
    organisation = {k: data[k] for k in ("jurisdiction", "units", "townships", "service_zones") if k in data}
    try:
        jurisdiction = load_organisation_data(data=organisation, name=path.name, by=by)
        catalogue = dict(data["catalogue"], jurisdiction=jurisdiction.code)
        # The catalogue's checksum covers its own table only: a new phone number is not a new version.
        own = json.dumps(catalogue, sort_keys=True, default=str, ensure_ascii=False).encode()
        version = load_catalogue_file(loaded=catalogue_from_data(catalogue, own, path), path=path, by=by)
    except (OrganisationDataError, CatalogueDataError) as exc:
        raise OnboardingDataError(str(exc)) from exc
    checksum = hashlib.sha256(raw).hexdigest()
    onboarding, created = OnboardingRecord.objects.get_or_create(
        jurisdiction=jurisdiction,
        defaults={
            "source_file": path.name,
            "checksum": checksum,
            "routing": routing,
            "service_levels": levels,
        },
    )
    if not created and onboarding.checksum == checksum:
        return onboarding
    onboarding.source_file, onboarding.checksum = path.name, checksum
    onboarding.routing, onboarding.service_levels = routing, levels
    onboarding.applied_at = None
    onboarding.save()
    hand_over_rules(onboarding=onboarding, by=by)
    record(
        actor=by,
        verb=AuditVerb.JURISDICTION_ONBOARDED,
        target=onboarding,
        after={
            "file": path.name,
            "checksum": checksum,
            "units": jurisdiction.units.count(),
            "catalogue": version.version,
            "routing": routing.get("policy", ""),
            "service_levels": levels,
        },
    )
    return onboarding


def _first_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def hand_over_rules(*, onboarding: OnboardingRecord, by: User | None) -> None:
    """Put the file's routing policy and service levels into force through the services that own them
    (`set_routing_policy`, `set_service_levels`: checked, audited), inside the load's transaction — a
    refused parameter names the file and loads nothing."""
    file, jurisdiction = onboarding.source_file, onboarding.jurisdiction
    routing = onboarding.routing
    if routing:
        try:
            set_routing_policy(
                jurisdiction=jurisdiction,
                policy=routing["policy"],
                parameters=routing.get("parameters", {}),
                by=by,
            )
        except ValidationError as exc:
            raise _fail(file, "routing", "parameters", _first_message(exc)) from exc
    if onboarding.service_levels:
        set_service_levels(
            jurisdiction=jurisdiction,
            levels=onboarding.service_levels,
            by=by,
            source=f"{file} ({routing.get('source', '')})" if routing.get("source") else file,
        )
    onboarding.applied_at = timezone.now()
    onboarding.save(update_fields=["applied_at"])
