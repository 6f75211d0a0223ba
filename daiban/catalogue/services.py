"""Loading the approval catalogue from its versioned data files (data/*.toml), never from code."""

import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from daiban.common.audit import AuditVerb, record
from daiban.common.stages import Stage
from daiban.organizations.models import Jurisdiction, Section, Unit, User

from .models import ApprovalItem, CatalogueVersion, Fee, ItemPrerequisite, Material, ResultDocument

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
}


class CatalogueDataError(ValueError):
    """The data file is wrong; the message says where, and nothing was loaded."""


def catalogue_data_file(jurisdiction_code: str) -> Path:
    return DATA_DIR / f"{jurisdiction_code}.toml"


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    if not path.exists():
        raise CatalogueDataError(f"no catalogue data file {path}")
    raw = path.read_bytes()
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueDataError(f"{path.name}: {exc}") from exc


def resolve_items(path: Path) -> tuple[str, str, list[dict[str, Any]], str]:
    """The jurisdiction code, version, final item list and checksum that a jurisdiction file describes."""
    data, raw = _read(path)
    digest = hashlib.sha256(raw)
    items: list[dict[str, Any]] = []
    if data.get("base"):
        base, base_raw = _read(DATA_DIR / f"{data['base']}.toml")
        digest.update(base_raw)
        items = [dict(item) for item in base.get("items", [])]
    excluded = set(data.get("exclude", []))
    items = [item for item in items if item["code"] not in excluded]
    overrides: Mapping[str, Mapping[str, Any]] = data.get("overrides", {})
    by_code = {item["code"]: item for item in items}
    for code, changes in overrides.items():
        if code not in by_code:
            raise CatalogueDataError(f"{path.name}: override for unknown item {code!r}")
        by_code[code].update(changes)
    items.extend(dict(item) for item in data.get("items", []))
    try:
        return str(data["jurisdiction"]), str(data["version"]), items, digest.hexdigest()
    except KeyError as exc:
        raise CatalogueDataError(f"{path.name}: missing key {exc}") from exc


def _check_items(items: list[dict[str, Any]], where: str) -> None:
    codes: set[str] = set()
    for item in items:
        code = item.get("code", "?")
        unknown = set(item) - ITEM_KEYS
        if unknown:
            raise CatalogueDataError(f"{where}: item {code}: unknown keys {sorted(unknown)}")
        for key in (
            "code",
            "name",
            "stage",
            "department",
            "legal_time_limit_days",
            "time_limit_days",
            "result",
            "source",
        ):
            if key not in item or item[key] in ("", None):
                raise CatalogueDataError(f"{where}: item {code}: {key} is required")
        if code in codes:
            raise CatalogueDataError(f"{where}: item {code} appears twice")
        codes.add(code)
        if item["stage"] not in Stage.values:
            raise CatalogueDataError(f"{where}: item {code}: unknown stage {item['stage']!r}")
        if not item.get("materials"):
            raise CatalogueDataError(f"{where}: item {code}: list its required materials")
    graph = {item["code"]: list(item.get("prerequisites", [])) for item in items}
    for code, prerequisites in graph.items():
        for prerequisite in prerequisites:
            if prerequisite not in graph:
                raise CatalogueDataError(f"{where}: item {code}: unknown prerequisite {prerequisite!r}")
    _check_acyclic(graph, where)


def _check_acyclic(graph: dict[str, list[str]], where: str) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = " → ".join([*path[path.index(nxt) :], nxt]) if nxt in path else f"{node} → {nxt}"
                raise CatalogueDataError(f"{where}: prerequisites form a cycle: {cycle}")
            if state.get(nxt) is None:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in graph:
        if state.get(node) is None:
            visit(node, [node])


@transaction.atomic
def load_catalogue(*, path: Path, by: User | None = None) -> CatalogueVersion:
    """Load one jurisdiction's catalogue file. Idempotent: the same version and content changes nothing;
    changed content under an unchanged version number is refused, so every published version is stable.
    Items dropped from the file are deactivated, not deleted (cases refer to them)."""
    code, version_name, items, checksum = resolve_items(path)
    _check_items(items, path.name)
    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None:
        raise CatalogueDataError(
            f"{path.name}: jurisdiction {code} is not loaded; load the organisations first"
        )
    existing = CatalogueVersion.objects.filter(jurisdiction=jurisdiction, version=version_name).first()
    if existing is not None:
        if existing.checksum != checksum:
            raise CatalogueDataError(
                f"{path.name}: version {version_name} was already loaded with other content; "
                "raise the version"
            )
        return existing
    catalogue_version = CatalogueVersion.objects.create(
        jurisdiction=jurisdiction,
        version=version_name,
        source_file=path.name,
        checksum=checksum,
        item_count=len(items),
    )
    departments = {
        u.code: u for u in Unit.objects.filter(jurisdiction=jurisdiction, kind=Unit.Kind.DEPARTMENT)
    }
    sections = {
        (s.department.code, s.code): s
        for s in Section.objects.filter(department__jurisdiction=jurisdiction).select_related("department")
    }
    saved: dict[str, ApprovalItem] = {}
    for position, data in enumerate(items, start=1):
        saved[data["code"]] = _save_item(
            jurisdiction, catalogue_version, data, position, departments, sections, path.name
        )
    ItemPrerequisite.objects.filter(item__jurisdiction=jurisdiction).delete()
    ItemPrerequisite.objects.bulk_create(
        ItemPrerequisite(item=saved[data["code"]], prerequisite=saved[prerequisite])
        for data in items
        for prerequisite in data.get("prerequisites", [])
    )
    ApprovalItem.objects.filter(jurisdiction=jurisdiction).exclude(code__in=saved).update(is_active=False)
    record(
        actor=by,
        verb=AuditVerb.CATALOGUE_LOADED,
        target=catalogue_version,
        after={"version": version_name, "file": path.name, "items": len(items), "checksum": checksum},
    )
    return catalogue_version


def _save_item(
    jurisdiction: Jurisdiction,
    version: CatalogueVersion,
    data: dict[str, Any],
    position: int,
    departments: dict[str, Unit],
    sections: dict[tuple[str, str], Section],
    where: str,
) -> ApprovalItem:
    code = data["code"]
    department = departments.get(data["department"])
    if department is None:
        raise CatalogueDataError(
            f"{where}: item {code}: no department {data['department']!r} in {jurisdiction.code}"
        )
    section = None
    if data.get("section"):
        section = sections.get((department.code, data["section"]))
        if section is None:
            raise CatalogueDataError(
                f"{where}: item {code}: no section {data['section']!r} in {department.code}"
            )
    result, _ = ResultDocument.objects.update_or_create(
        jurisdiction=jurisdiction,
        name=data["result"]["name"],
        defaults={"is_e_certificate": bool(data["result"].get("e_certificate", False))},
    )
    item = ApprovalItem.objects.filter(jurisdiction=jurisdiction, code=code).first() or ApprovalItem(
        jurisdiction=jurisdiction, code=code
    )
    item.name = data["name"]
    item.stage = data["stage"]
    item.department = department
    item.section = section
    item.description = data.get("description", "")
    item.legal_time_limit_days = int(data["legal_time_limit_days"])
    item.legal_time_limit_unit = data.get("legal_time_limit_unit", ApprovalItem.LimitUnit.WORKING_DAYS)
    item.legal_basis = data.get("legal_basis", "")
    item.time_limit_days = int(data["time_limit_days"])
    item.result_document = result
    item.source = data["source"]
    item.position = position
    item.is_active = True
    item.version = version
    try:
        item.full_clean(validate_constraints=True)
    except ValidationError as exc:
        raise CatalogueDataError(f"{where}: item {code}: {exc.messages}") from exc
    item.save()
    item.materials.all().delete()
    Material.objects.bulk_create(
        Material(
            item=item,
            name=m["name"],
            is_key=bool(m.get("key", True)),
            copies=m.get("copies", ""),
            note=m.get("note", ""),
            position=index,
        )
        for index, m in enumerate(data["materials"], start=1)
    )
    item.fees.all().delete()
    Fee.objects.bulk_create(
        Fee(item=item, name=f["name"], standard=f["standard"], legal_basis=f["legal_basis"])
        for f in data.get("fees", [])
    )
    return item


def catalogue_data_files() -> list[Path]:
    """Jurisdiction files only (named by division code); base files are pulled in by them."""
    return sorted(p for p in DATA_DIR.glob("*.toml") if p.stem.isdigit())
