"""Catalogue versions (ADR 0015): loading a data file (data/*.toml) as a new version, an administrator's
draft copied from a published version, and publishing, which puts a version in force and retires the
previous one without changing a row that a case points to."""

import datetime as dt
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.common.stages import Stage
from daiban.common.validators import date_bounds_error
from daiban.organizations.models import Jurisdiction, Section, Unit, User

from .models import (
    ApprovalItem,
    CatalogueVersion,
    Fee,
    ItemPrerequisite,
    Material,
    ProjectTemplate,
    ResultDocument,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
ITEM_KEYS = {
    "code",
    "name",
    "stage",
    "department",
    "section",
    "legal_time_limit_days",
    "legal_time_limit_unit",
    "time_limit_days",
    "legal_basis",
    "result",
    "prerequisites",
    "description",
    "source",
    "materials",
    "fees",
    "commitment",
    "to_confirm",
}
MATERIAL_KEYS = {"name", "key", "copies", "note", "lead_time_days", "sample", "by_commitment"}
TEMPLATE_KEYS = {"code", "name", "description", "source", "items"}
COMMITMENT_LETTER = "承诺书"  # the material an item under 告知承诺制 takes instead of those it replaces


class CatalogueDataError(ValueError):
    """The data is wrong; the message names the file, the entry and the field, and nothing was loaded."""


ORIGIN = "_origin"  # the file an entry comes from, for messages; not stored
LIMIT_UNITS = set(ApprovalItem.LimitUnit.values)


def _fail(where: str, code: object, field: str, message: str) -> CatalogueDataError:
    return CatalogueDataError(f"{where}: item {code}: {field}: {message}")


def catalogue_data_file(jurisdiction_code: str) -> Path:
    return DATA_DIR / f"{jurisdiction_code}.toml"


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    if not path.exists():
        raise CatalogueDataError(f"no catalogue data file {path}")
    raw = path.read_bytes()
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueDataError(f"{path.name}: {exc}") from exc


@dataclass(frozen=True)
class CatalogueFile:
    """What a jurisdiction file describes, with its base pulled in and its overrides applied."""

    jurisdiction: str
    version: str
    items: list[dict[str, Any]]
    checksum: str
    effective_on: dt.date | None
    templates: tuple[dict[str, Any], ...] = ()


def read_catalogue_file(path: Path) -> CatalogueFile:
    data, raw = _read(path)
    return catalogue_from_data(data, raw, path)


def catalogue_from_data(data: Mapping[str, Any], raw: bytes, path: Path) -> CatalogueFile:
    """A catalogue described by data already read: a jurisdiction file, or an onboarding file's
    `[catalogue]` table (`raw` is what the checksum covers, `path` names the file in messages)."""
    digest = hashlib.sha256(raw)
    items: list[dict[str, Any]] = []
    templates: list[dict[str, Any]] = []
    if data.get("base"):
        base_path = DATA_DIR / f"{data['base']}.toml"
        base, base_raw = _read(base_path)
        digest.update(base_raw)
        items = [dict(item, **{ORIGIN: base_path.name}) for item in base.get("items", [])]
        templates = [dict(t, **{ORIGIN: base_path.name}) for t in base.get("templates", [])]
    excluded = set(data.get("exclude", []))
    items = [item for item in items if item.get("code") not in excluded]
    templates += [dict(t, **{ORIGIN: path.name}) for t in data.get("templates", [])]
    templates = [  # an excluded item leaves the project types too
        dict(t, items=[c for c in t["items"] if c not in excluded]) if isinstance(t.get("items"), list) else t
        for t in templates
    ]
    overrides: Mapping[str, Mapping[str, Any]] = data.get("overrides", {})
    by_code = {item.get("code"): item for item in items}
    for code, changes in overrides.items():
        if code not in by_code:
            raise CatalogueDataError(f"{path.name}: override for unknown item {code!r}")
        by_code[code].update(changes, **{ORIGIN: path.name})
    items.extend(dict(item, **{ORIGIN: path.name}) for item in data.get("items", []))
    effective_on = data.get("effective_on")
    if effective_on is not None and (
        not isinstance(effective_on, dt.date) or isinstance(effective_on, dt.datetime)
    ):
        raise CatalogueDataError(f"{path.name}: effective_on: write a date such as 2026-07-01")
    for key in ("jurisdiction", "version"):
        if not data.get(key):
            raise CatalogueDataError(f"{path.name}: {key} is required")
    return CatalogueFile(
        str(data["jurisdiction"]),
        str(data["version"]),
        items,
        digest.hexdigest(),
        effective_on,
        tuple(templates),
    )


REQUIRED = (
    "code",
    "name",
    "stage",
    "department",
    "legal_time_limit_days",
    "time_limit_days",
    "result",
    "source",
)


def check_entries(
    items: list[dict[str, Any]],
    where: str,
    departments: Mapping[str, Unit],
    sections: Mapping[tuple[str, str], Section],
) -> None:
    """Every rule a catalogue entry must meet, for a data file and for an administrator's draft alike:
    the first broken one is raised, naming the file (or version), the entry and the field."""
    codes: set[str] = set()
    for item in items:
        code = item.get("code", "?")
        origin = item.get(ORIGIN, where)
        unknown = set(item) - ITEM_KEYS - {ORIGIN}
        if unknown:
            raise _fail(origin, code, ", ".join(sorted(unknown)), "unknown key")
        for key in REQUIRED:
            if key not in item or item[key] in ("", None):
                raise _fail(origin, code, key, "is required")
        if code in codes:
            raise _fail(origin, code, "code", "appears twice")
        codes.add(code)
        if item["stage"] not in Stage.values:
            raise _fail(origin, code, "stage", f"unknown stage {item['stage']!r}")
        if item["department"] not in departments:
            raise _fail(origin, code, "department", f"no department {item['department']!r}")
        if item.get("section") and (item["department"], item["section"]) not in sections:
            raise _fail(origin, code, "section", f"no section {item['section']!r} in {item['department']}")
        for key in ("legal_time_limit_days", "time_limit_days"):
            value = item[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
                raise _fail(origin, code, key, f"{value!r} is not a number of days from 0 to 365")
        unit = item.get("legal_time_limit_unit", ApprovalItem.LimitUnit.WORKING_DAYS)
        if unit not in LIMIT_UNITS:
            raise _fail(origin, code, "legal_time_limit_unit", f"unknown unit {unit!r}")
        if (
            unit == ApprovalItem.LimitUnit.WORKING_DAYS
            and item["time_limit_days"] > item["legal_time_limit_days"]
        ):
            raise _fail(
                origin,
                code,
                "time_limit_days",
                f"committed {item['time_limit_days']} working days exceed the legal limit "
                f"of {item['legal_time_limit_days']} working days",
            )
        result = item["result"]
        if not isinstance(result, Mapping) or not result.get("name"):
            raise _fail(origin, code, "result", "give the result document's name")
        materials = item.get("materials")
        if not materials or not isinstance(materials, list):
            raise _fail(origin, code, "materials", "list its required materials")
        names = [m.get("name") if isinstance(m, Mapping) else None for m in materials]
        if not all(names):
            raise _fail(origin, code, "materials", "every material needs a name")
        if len(set(names)) != len(names):
            raise _fail(origin, code, "materials", "a material is listed twice")
        _check_materials(item, origin, code)
        for fee in item.get("fees", []):
            if not isinstance(fee, Mapping) or not all(
                fee.get(k) for k in ("name", "standard", "legal_basis")
            ):
                raise _fail(origin, code, "fees", "every fee needs a name, a standard and a legal basis")
    graph = {item["code"]: list(item.get("prerequisites", [])) for item in items}
    for item in items:
        if not isinstance(item.get("prerequisites", []), list):
            raise _fail(item.get(ORIGIN, where), item["code"], "prerequisites", "write a list of item codes")
    for item in items:
        for prerequisite in graph[item["code"]]:
            if prerequisite not in graph:
                raise _fail(
                    item.get(ORIGIN, where), item["code"], "prerequisites", f"unknown item {prerequisite!r}"
                )
    _check_acyclic(graph, where)


def _check_materials(item: Mapping[str, Any], origin: str, code: object) -> None:
    """Material fields, and 告知承诺制: an item under it lists the commitment letter and the materials the
    letter replaces; no other item may mark a material as replaced."""
    commitment = item.get("commitment", False)
    if not isinstance(commitment, bool):
        raise _fail(origin, code, "commitment", "write true or false")
    replaced = []
    for material in item["materials"]:
        name = material["name"]
        unknown = set(material) - MATERIAL_KEYS
        if unknown:
            raise _fail(origin, code, "materials", f"{name}: unknown key {', '.join(sorted(unknown))}")
        lead = material.get("lead_time_days")
        if lead is not None and (isinstance(lead, bool) or not isinstance(lead, int) or not 0 <= lead <= 365):
            raise _fail(origin, code, "materials", f"{name}: lead_time_days {lead!r} is not 0 to 365 days")
        sample = material.get("sample", "")
        if sample and (not isinstance(sample, str) or not sample.startswith(("https://", "http://"))):
            raise _fail(origin, code, "materials", f"{name}: sample must be a web address (https://…)")
        if material.get("by_commitment", False):
            replaced.append(name)
    if replaced and not commitment:
        raise _fail(origin, code, "materials", f"{replaced[0]}: by_commitment needs commitment = true")
    if commitment:
        letters = [
            m for m in item["materials"] if COMMITMENT_LETTER in m["name"] and not m.get("by_commitment")
        ]
        if not letters or not replaced:
            raise _fail(
                origin,
                code,
                "commitment",
                f"list the commitment letter (a material named …{COMMITMENT_LETTER}) and mark the materials "
                "it replaces with by_commitment = true",
            )


def check_templates(
    templates: list[dict[str, Any]] | tuple[dict[str, Any], ...], codes: set[str], where: str
) -> None:
    """Project types: code, name, source and known items, each code once."""
    seen: set[str] = set()
    for template in templates:
        code = template.get("code", "?")
        origin = template.get(ORIGIN, where)
        unknown = set(template) - TEMPLATE_KEYS - {ORIGIN}
        if unknown:
            raise CatalogueDataError(f"{origin}: template {code}: {', '.join(sorted(unknown))}: unknown key")
        for key in ("code", "name", "source", "items"):
            if not template.get(key):
                raise CatalogueDataError(f"{origin}: template {code}: {key}: is required")
        if code in seen:
            raise CatalogueDataError(f"{origin}: template {code}: code: appears twice")
        seen.add(code)
        if not isinstance(template["items"], list):
            raise CatalogueDataError(f"{origin}: template {code}: items: write a list of item codes")
        missing = [c for c in template["items"] if c not in codes]
        if missing:
            raise CatalogueDataError(f"{origin}: template {code}: items: unknown item {missing[0]!r}")


def _check_acyclic(graph: dict[str, list[str]], where: str) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = " → ".join([*path[path.index(nxt) :], nxt]) if nxt in path else f"{node} → {nxt}"
                raise _fail(where, node, "prerequisites", f"prerequisites form a cycle: {cycle}")
            if state.get(nxt) is None:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in graph:
        if state.get(node) is None:
            visit(node, [node])


def _units(jurisdiction: Jurisdiction) -> tuple[dict[str, Unit], dict[tuple[str, str], Section]]:
    departments = {
        u.code: u for u in Unit.objects.filter(jurisdiction=jurisdiction, kind=Unit.Kind.DEPARTMENT)
    }
    sections = {
        (s.department.code, s.code): s
        for s in Section.objects.filter(department__jurisdiction=jurisdiction).select_related("department")
    }
    return departments, sections


@transaction.atomic
def load_catalogue(*, path: Path, by: User | None = None) -> CatalogueVersion:
    """Load one jurisdiction's catalogue file as a new version and put it in force (ADR 0015).

    Idempotent: the same version and content changes nothing; changed content under an unchanged
    version number is refused, so every published version is stable. The previous version is retired,
    not changed: its rows stay for the cases and guide pages that cite them, so the time taken does not
    depend on how many case items exist."""
    return load_catalogue_file(loaded=read_catalogue_file(path), path=path, by=by)


@transaction.atomic
def load_catalogue_file(*, loaded: CatalogueFile, path: Path, by: User | None = None) -> CatalogueVersion:
    """`load_catalogue` for a catalogue already read (an onboarding file's `[catalogue]` table)."""
    jurisdiction = Jurisdiction.objects.filter(code=loaded.jurisdiction).first()
    if jurisdiction is None:
        raise CatalogueDataError(
            f"{path.name}: jurisdiction {loaded.jurisdiction} is not loaded; load the organisations first"
        )
    departments, sections = _units(jurisdiction)
    check_entries(loaded.items, path.name, departments, sections)
    check_templates(loaded.templates, {e["code"] for e in loaded.items}, path.name)
    existing = CatalogueVersion.objects.filter(jurisdiction=jurisdiction, version=loaded.version).first()
    if existing is not None:
        if existing.checksum != loaded.checksum:
            raise CatalogueDataError(
                f"{path.name}: version {loaded.version} was already loaded with other content; "
                "raise the version"
            )
        return existing
    version = CatalogueVersion.objects.create(
        jurisdiction=jurisdiction,
        version=loaded.version,
        source_file=path.name,
        checksum=loaded.checksum,
        item_count=len(loaded.items),
    )
    _create_rows(version, loaded.items, departments, sections)
    _create_templates(version, list(loaded.templates))
    record(
        actor=by,
        verb=AuditVerb.CATALOGUE_LOADED,
        target=version,
        after={
            "version": loaded.version,
            "file": path.name,
            "items": len(loaded.items),
            "checksum": loaded.checksum,
        },
    )
    try:
        return publish_version(version=version, by=by, effective_on=loaded.effective_on)
    except ValidationError as exc:
        raise CatalogueDataError(f"{path.name}: effective_on: {' '.join(exc.messages)}") from exc


def _create_rows(
    version: CatalogueVersion,
    items: list[dict[str, Any]],
    departments: Mapping[str, Unit],
    sections: Mapping[tuple[str, str], Section],
) -> None:
    """Write a version's own rows from checked entries: items, materials, fees, prerequisites. Bulk
    writes, a handful of queries whatever the catalogue's size."""
    jurisdiction = version.jurisdiction
    results = {
        (r.name, r.is_e_certificate): r for r in ResultDocument.objects.filter(jurisdiction=jurisdiction)
    }
    wanted = {(e["result"]["name"], bool(e["result"].get("e_certificate", False))) for e in items}
    ResultDocument.objects.bulk_create(
        [
            ResultDocument(jurisdiction=jurisdiction, name=n, is_e_certificate=e)
            for n, e in wanted - set(results)
        ]
    )
    results = {
        (r.name, r.is_e_certificate): r for r in ResultDocument.objects.filter(jurisdiction=jurisdiction)
    }
    rows = ApprovalItem.objects.bulk_create(
        ApprovalItem(
            jurisdiction=jurisdiction,
            version=version,
            code=e["code"],
            name=e["name"],
            stage=e["stage"],
            department=departments[e["department"]],
            section=sections[(e["department"], e["section"])] if e.get("section") else None,
            description=e.get("description", ""),
            legal_time_limit_days=e["legal_time_limit_days"],
            legal_time_limit_unit=e.get("legal_time_limit_unit", ApprovalItem.LimitUnit.WORKING_DAYS),
            legal_basis=e.get("legal_basis", ""),
            time_limit_days=e["time_limit_days"],
            result_document=results[(e["result"]["name"], bool(e["result"].get("e_certificate", False)))],
            source=e["source"],
            position=position,
            is_active=False,
            by_commitment=bool(e.get("commitment", False)),
            to_confirm=e.get("to_confirm", ""),
        )
        for position, e in enumerate(items, start=1)
    )
    if any(row.pk is None for row in rows):  # backends that do not return keys from bulk inserts
        rows = list(ApprovalItem.objects.filter(version=version).order_by("position"))
    saved = {row.code: row for row in rows}
    Material.objects.bulk_create(
        Material(
            item=saved[e["code"]],
            name=m["name"],
            is_key=bool(m.get("key", True)),
            copies=m.get("copies", ""),
            note=m.get("note", ""),
            position=index,
            lead_time_days=m.get("lead_time_days"),
            sample_url=m.get("sample", ""),
            replaced_by_commitment=bool(m.get("by_commitment", False)),
        )
        for e in items
        for index, m in enumerate(e["materials"], start=1)
    )
    Fee.objects.bulk_create(
        Fee(item=saved[e["code"]], name=f["name"], standard=f["standard"], legal_basis=f["legal_basis"])
        for e in items
        for f in e.get("fees", [])
    )
    ItemPrerequisite.objects.bulk_create(
        ItemPrerequisite(item=saved[e["code"]], prerequisite=saved[prerequisite])
        for e in items
        for prerequisite in e.get("prerequisites", [])
    )


def _create_templates(version: CatalogueVersion, templates: list[dict[str, Any]]) -> None:
    """A version's project types, pointing at that version's own items."""
    rows = ProjectTemplate.objects.bulk_create(
        ProjectTemplate(
            version=version,
            code=t["code"],
            name=t["name"],
            description=t.get("description", ""),
            source=t["source"],
            position=position,
        )
        for position, t in enumerate(templates, start=1)
    )
    if any(row.pk is None for row in rows):
        rows = list(ProjectTemplate.objects.filter(version=version).order_by("position"))
    items = dict(ApprovalItem.objects.filter(version=version).values_list("code", "pk"))
    ProjectTemplate.items.through.objects.bulk_create(
        ProjectTemplate.items.through(projecttemplate_id=row.pk, approvalitem_id=items[code])
        for row, t in zip(rows, templates, strict=True)
        for code in t["items"]
    )


def version_templates(version: CatalogueVersion) -> list[dict[str, Any]]:
    return [
        {
            "code": t.code,
            "name": t.name,
            "description": t.description,
            "source": t.source,
            "items": [i.code for i in sorted(t.items.all(), key=lambda i: i.position)],
        }
        for t in ProjectTemplate.objects.filter(version=version)
        .prefetch_related("items")
        .order_by("position")
    ]


def version_entries(version: CatalogueVersion) -> list[dict[str, Any]]:
    """A version's rows in the data files' shape: what a draft copies, what publishing checks and what
    the diff compares."""
    items = (
        ApprovalItem.objects.filter(version=version)
        .select_related("department", "section", "result_document")
        .prefetch_related("materials", "fees", "prerequisite_links__prerequisite")
        .order_by("position", "id")
    )
    entries = []
    for item in items:
        foreign = [
            p.prerequisite for p in item.prerequisite_links.all() if p.prerequisite.version_id != version.pk
        ]
        if foreign:
            raise _fail(str(version), item.code, "prerequisites", f"{foreign[0].code} is of another version")
        entry: dict[str, Any] = {
            "code": item.code,
            "name": item.name,
            "stage": item.stage,
            "department": item.department.code,
            "legal_time_limit_days": item.legal_time_limit_days,
            "legal_time_limit_unit": item.legal_time_limit_unit,
            "time_limit_days": item.time_limit_days,
            "legal_basis": item.legal_basis,
            "result": {
                "name": item.result_document.name,
                "e_certificate": item.result_document.is_e_certificate,
            },
            "prerequisites": sorted(p.prerequisite.code for p in item.prerequisite_links.all()),
            "description": item.description,
            "source": item.source,
            "materials": [
                {
                    "name": m.name,
                    "key": m.is_key,
                    "copies": m.copies,
                    "note": m.note,
                    "lead_time_days": m.lead_time_days,
                    "sample": m.sample_url,
                    "by_commitment": m.replaced_by_commitment,
                }
                for m in sorted(item.materials.all(), key=lambda m: (m.position, m.pk))
            ],
            "commitment": item.by_commitment,
            "to_confirm": item.to_confirm,
            "fees": [
                {"name": f.name, "standard": f.standard, "legal_basis": f.legal_basis}
                for f in sorted(item.fees.all(), key=lambda f: f.pk)
            ],
        }
        if item.section is not None:
            entry["section"] = item.section.code
        entries.append(entry)
    return entries


@transaction.atomic
def start_draft(*, based_on: CatalogueVersion, version: str, by: User) -> CatalogueVersion:
    """An administrator's edits go to a draft: a copy of a published version under a new number, which
    they change in the admin and then publish. The published version itself is never edited."""
    version = version.strip()
    if (
        not version
        or CatalogueVersion.objects.filter(jurisdiction=based_on.jurisdiction, version=version).exists()
    ):
        raise ValidationError({"version": _("Give the draft a version number not used before.")})
    entries = version_entries(based_on)
    draft = CatalogueVersion.objects.create(
        jurisdiction=based_on.jurisdiction,
        version=version,
        source_file=_("admin draft"),
        checksum="",
        item_count=len(entries),
        based_on=based_on,
    )
    departments, sections = _units(based_on.jurisdiction)
    _create_rows(draft, entries, departments, sections)
    _create_templates(draft, version_templates(based_on))
    record(
        actor=by,
        verb=AuditVerb.CATALOGUE_DRAFTED,
        target=draft,
        after={"version": version, "based_on": based_on.version},
    )
    return draft


@transaction.atomic
def publish_version(
    *, version: CatalogueVersion, by: User | None, effective_on: dt.date | None = None
) -> CatalogueVersion:
    """Put a draft in force and retire the version it replaces. Only `is_active` and the versions'
    status move; no row a case points to is written. The draft is checked by the same rules as a file."""
    jurisdiction = version.jurisdiction
    versions = list(CatalogueVersion.objects.select_for_update().filter(jurisdiction=jurisdiction))
    version = next(v for v in versions if v.pk == version.pk)
    if version.status != CatalogueVersion.Status.DRAFT:
        raise ValidationError(_("Version %(version)s is already published.") % {"version": version.version})
    current = next((v for v in versions if v.status == CatalogueVersion.Status.IN_FORCE), None)
    today = timezone.localdate()
    effective_on = effective_on or today
    out_of_range = date_bounds_error(effective_on)
    if out_of_range is not None:  # the first version has no predecessor to bound it from below
        raise ValidationError(out_of_range)
    if effective_on > today:
        raise ValidationError(
            _("A version takes effect when it is published; publish it on %(on)s.") % {"on": effective_on}
        )
    if current is not None and current.effective_on and effective_on < current.effective_on:
        raise ValidationError(
            _("The version in force took effect on %(on)s; the new one cannot take effect earlier.")
            % {"on": current.effective_on}
        )
    departments, sections = _units(jurisdiction)
    try:
        entries = version_entries(version)
        check_entries(entries, str(version), departments, sections)
    except CatalogueDataError as exc:
        raise ValidationError(str(exc)) from exc
    changes = version_diff(version_entries(current) if current else [], entries)
    if current is not None:
        current.status = CatalogueVersion.Status.RETIRED
        current.retired_on = effective_on
        current.save(update_fields=["status", "retired_on"])
        ApprovalItem.objects.filter(version=current).update(is_active=False)
    version.status = CatalogueVersion.Status.IN_FORCE
    version.effective_on = effective_on
    version.item_count = len(entries)
    version.save(update_fields=["status", "effective_on", "item_count"])
    ApprovalItem.objects.filter(version=version).update(is_active=True)
    record(
        actor=by,
        verb=AuditVerb.CATALOGUE_PUBLISHED,
        target=version,
        before={"version": current.version if current else None},
        after={"version": version.version, "effective_on": effective_on.isoformat(), "changes": changes},
    )
    return version


def version_diff(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """What changes between two versions, one line per difference, by item code: added, removed,
    each changed field (old → new), materials added and removed. Shown before publishing and audited."""
    before = {e["code"]: e for e in old}
    after = {e["code"]: e for e in new}
    lines = [f"+ {code} {after[code]['name']}" for code in after if code not in before]
    lines += [f"- {code} {before[code]['name']}" for code in before if code not in after]
    for code in after.keys() & before.keys():
        a, b = before[code], after[code]
        for key in sorted((a.keys() | b.keys()) - {"materials", ORIGIN}):
            if a.get(key) != b.get(key):
                lines.append(f"~ {code} {key}: {a.get(key)!r} → {b.get(key)!r}")
        old_materials = {m["name"]: m for m in a["materials"]}
        new_materials = {m["name"]: m for m in b["materials"]}
        lines += [f"~ {code} materials: + {n}" for n in new_materials if n not in old_materials]
        lines += [f"~ {code} materials: - {n}" for n in old_materials if n not in new_materials]
        lines += [
            f"~ {code} materials: {n} {old_materials[n]!r} → {new_materials[n]!r}"
            for n in new_materials.keys() & old_materials.keys()
            if old_materials[n] != new_materials[n]
        ]
    return sorted(lines, key=lambda line: (line.split(" ")[1], line))


def catalogue_data_files() -> list[Path]:
    """Jurisdiction files only (named by division code); base files are pulled in by them."""
    return sorted(p for p in DATA_DIR.glob("*.toml") if p.stem.isdigit())
