"""Every write to organisations, people and roles. Each function is one transaction with its audit entry."""

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record, snapshot
from daiban.common.stages import Stage
from daiban.common.validators import normalize_mobile
from daiban.common.workflow import NotYourStep

from .models import (
    Jurisdiction,
    Role,
    RoleAssignment,
    Section,
    ServiceZone,
    Unit,
    User,
    Window,
    WorkingGroup,
    WorkingGroupChange,
    WorkingGroupMember,
)
from .permissions import ROLE_UNIT_KINDS, ROLES_NEEDING_SECTION, files_working_group_changes
from .selectors import forget_roles

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def create_person(
    *, username: str, full_name: str, mobile: str = "", password: str | None, by: User | None
) -> User:
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        mobile=normalize_mobile(mobile) if mobile else "",
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    record(
        actor=by,
        verb=AuditVerb.PERSON_CREATED,
        target=user,
        after=snapshot(user, ["username", "full_name", "mobile"]),
    )
    return user


def _check_role_target(
    *, role: str, jurisdiction: Jurisdiction, unit: Unit | None, section: Section | None
) -> None:
    allowed = ROLE_UNIT_KINDS[role]
    errors: dict[str, str] = {}
    if unit is None and None not in allowed:
        errors["unit"] = _("This role is held on behalf of a unit; choose one.")
    if unit is not None:
        if unit.kind not in allowed:
            errors["unit"] = _("This role cannot be held for a unit of this kind.")
        elif unit.jurisdiction_id != jurisdiction.id:
            errors["unit"] = _("The unit belongs to another jurisdiction.")
    if role in ROLES_NEEDING_SECTION:
        if section is None:
            errors["section"] = _("A section reviewer must belong to a section.")
        elif unit is not None and section.department_id != unit.id:
            errors["section"] = _("The section is not part of the chosen department.")
    elif section is not None:
        errors["section"] = _("Only section reviewers are tied to a section.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def grant_role(
    *,
    user: User,
    role: str,
    jurisdiction: Jurisdiction,
    unit: Unit | None = None,
    section: Section | None = None,
    by: User | None,
) -> RoleAssignment:
    """Give a person a role. A person may hold several roles, also in one jurisdiction."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _check_role_target(role=role, jurisdiction=jurisdiction, unit=unit, section=section)
    existing = RoleAssignment.objects.filter(
        user=user, role=role, jurisdiction=jurisdiction, unit=unit, section=section, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    assignment = RoleAssignment.objects.create(
        user=user, role=role, jurisdiction=jurisdiction, unit=unit, section=section
    )
    record(
        actor=by,
        verb=AuditVerb.ROLE_GRANTED,
        target=assignment,
        after=snapshot(assignment, ["user", "role", "jurisdiction", "unit", "section"]),
    )
    _sync_admin_access(user)
    return assignment


def _sync_admin_access(user: User) -> None:
    """The Django admin opens to administrators (is_staff) and closes when their last such role goes."""
    forget_roles(user)
    should = RoleAssignment.objects.filter(
        user=user, role=Role.ADMINISTRATOR, revoked_at__isnull=True
    ).exists()
    if user.is_staff != should and not user.is_superuser:
        user.is_staff = should
        user.save(update_fields=["is_staff"])


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, by: User | None) -> RoleAssignment:
    if assignment.revoked_at is not None:
        raise ValidationError(_("This role has already been revoked."))
    before = snapshot(assignment, ["revoked_at"])
    assignment.revoked_at = timezone.now()
    assignment.save(update_fields=["revoked_at"])
    record(
        actor=by,
        verb=AuditVerb.ROLE_REVOKED,
        target=assignment,
        before=before,
        after=snapshot(assignment, ["revoked_at"]),
    )
    _sync_admin_access(assignment.user)
    return assignment


@dataclass(frozen=True)
class NewMember:
    user: User
    position: str
    unit: Unit
    responsibility: str = ""
    stage: str = ""


@transaction.atomic
def file_working_group_change(
    *,
    group: WorkingGroup,
    joining: NewMember | None,
    leaving: WorkingGroupMember | None,
    reason: str,
    filed_on: datetime.date,
    by: User | None,
) -> WorkingGroupChange:
    """File a member change with the group's office (备案): a join, a departure, or a replacement."""
    if joining is None and leaving is None:
        raise ValidationError(_("Name the member who joins, the member who leaves, or both."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("The filing date cannot be in the future.")})
    if leaving is not None:
        if leaving.group_id != group.id:
            raise ValidationError(_("That member belongs to another working group."))
        if leaving.left_on is not None:
            raise ValidationError(_("That member has already left the group."))
    member_in = None
    if joining is not None:
        if joining.unit.jurisdiction_id != group.jurisdiction_id:
            raise ValidationError({"unit": _("The unit belongs to another jurisdiction.")})
        if joining.stage and joining.stage not in Stage.values:
            raise ValidationError({"stage": _("Unknown approval stage.")})
        member_in = WorkingGroupMember(
            group=group,
            user=joining.user,
            position=joining.position,
            unit=joining.unit,
            responsibility=joining.responsibility,
            stage=joining.stage,
            joined_on=filed_on,
        )
        member_in.full_clean()
        member_in.save()
    if leaving is not None:
        leaving.left_on = filed_on
        leaving.save(update_fields=["left_on"])
    if member_in is not None and leaving is not None:
        kind = WorkingGroupChange.Kind.REPLACED
    elif member_in is not None:
        kind = WorkingGroupChange.Kind.JOINED
    else:
        kind = WorkingGroupChange.Kind.LEFT
    change = WorkingGroupChange.objects.create(
        group=group,
        kind=kind,
        member_in=member_in,
        member_out=leaving,
        reason=reason.strip(),
        filed_on=filed_on,
        filed_by=by,
    )
    record(
        actor=by,
        verb=AuditVerb.WORKING_GROUP_MEMBER_CHANGED,
        target=change,
        after=snapshot(change, ["kind", "member_in", "member_out", "reason", "filed_on"]),
    )
    return change


@transaction.atomic
def file_replacement(
    *,
    group: WorkingGroup,
    leaving: WorkingGroupMember,
    replacement: User,
    reason: str,
    filed_on: datetime.date,
    by: User,
) -> WorkingGroupChange:
    """替补: a member unit names its replacement for a seat, and the group's office files it (备案) on the
    date it was filed. The replacement takes the seat as it was — unit, position, responsibility, stage —
    from that date; the one leaving stays in the history. Only the office's staff file it."""
    if not files_working_group_changes(by, group.office_id):
        raise NotYourStep(_("Member changes are filed by the working group's office."))
    # Locked, so two filings for one seat cannot both replace it.
    seat = WorkingGroupMember.objects.select_for_update().filter(pk=leaving.pk, group=group).first()
    if seat is None:
        raise ValidationError({"leaving": _("That member belongs to another working group.")})
    if seat.left_on is not None:
        raise ValidationError({"leaving": _("That member has already left the group.")})
    if replacement.pk == seat.user_id:
        raise ValidationError({"replacement": _("The replacement is the member already in the seat.")})
    if WorkingGroupMember.objects.filter(group=group, user=replacement, left_on__isnull=True).exists():
        raise ValidationError({"replacement": _("That person already holds a seat in the group.")})
    if filed_on < seat.joined_on:
        raise ValidationError({"filed_on": _("The filing date is before the member being replaced joined.")})
    return file_working_group_change(
        group=group,
        joining=NewMember(
            user=replacement,
            position=seat.position,
            unit=seat.unit,
            responsibility=seat.responsibility,
            stage=seat.stage,
        ),
        leaving=seat,
        reason=reason,
        filed_on=filed_on,
        by=by,
    )


# --- reference data --------------------------------------------------------------------------------


class OrganisationDataError(ValueError):
    pass


def _township_kind(name: str) -> str:
    """The kind is in the name's last characters: 街道 street, 镇 town, 乡 township."""
    if name.endswith("街道"):
        return Unit.TownshipKind.STREET
    if name.endswith("镇"):
        return Unit.TownshipKind.TOWN
    if name.endswith("乡"):
        return Unit.TownshipKind.TOWNSHIP
    raise OrganisationDataError(f"cannot tell the kind of township from its name: {name!r}")


def _upsert_unit(
    jurisdiction: Jurisdiction, data: dict[str, Any], position: int, hosts: dict[str, Unit]
) -> Unit:
    kind = data["kind"]
    if kind not in Unit.Kind.values:
        raise OrganisationDataError(f"unknown unit kind {kind!r} for {data.get('code')!r}")
    parent = None
    if data.get("hosted_by"):
        parent = hosts.get(data["hosted_by"])
        if parent is None:
            raise OrganisationDataError(f"{data['code']!r} is hosted by unknown unit {data['hosted_by']!r}")
    unit, _created = Unit.objects.update_or_create(
        jurisdiction=jurisdiction,
        code=data["code"],
        defaults={
            "kind": kind,
            "name": data["name"],
            "short_name": data.get("short_name", ""),
            "parent": parent,
            "park_kind": data.get("park_kind", ""),
            "township_kind": data.get("township_kind", ""),
            "address": data.get("address", ""),
            "phone": data.get("phone", ""),
            "position": position,
            "is_active": True,
        },
    )
    unit.full_clean()
    for section in data.get("sections", []):
        Section.objects.update_or_create(
            department=unit, code=section["code"], defaults={"name": section["name"]}
        )
    for window in data.get("windows", []):
        Window.objects.update_or_create(
            service_centre=unit,
            code=window["code"],
            defaults={
                "name": window["name"],
                "location": window.get("location", ""),
                "is_service_zone": window.get("is_service_zone", True),
            },
        )
    return unit


@transaction.atomic
def load_organisations(*, path: Path, by: User | None = None) -> Jurisdiction:
    """Create or update a jurisdiction and its units from a data file. Running it twice changes nothing."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return load_organisation_data(data=data, name=path.name, by=by)


@transaction.atomic
def load_organisation_data(*, data: dict[str, Any], name: str, by: User | None = None) -> Jurisdiction:
    """`load_organisations` for data already read (an onboarding file's organisation part); `name` is the
    file's, for messages and the audit entry."""
    path = Path(name)
    try:
        meta = data["jurisdiction"]
        parent = None
        if meta.get("parent"):
            parent = Jurisdiction.objects.filter(code=meta["parent"]).first()
            if parent is None:
                raise OrganisationDataError(
                    f"{path.name}: parent jurisdiction {meta['parent']} is not loaded yet"
                )
        jurisdiction, created = Jurisdiction.objects.update_or_create(
            code=meta["code"],
            defaults={
                "name": meta["name"],
                "level": meta.get("level", "county"),
                "parent": parent,
                "callbacks_throughout": bool(meta.get("callbacks_throughout", False)),
            },
        )
        jurisdiction.full_clean()
        hosts: dict[str, Unit] = {}
        position = 0
        for unit_data in data.get("units", []):
            position += 1
            unit = _upsert_unit(jurisdiction, unit_data, position, hosts)
            hosts[unit.code] = unit
        for index, name in enumerate(data.get("townships", {}).get("names", []), start=1):
            _upsert_unit(
                jurisdiction,
                {
                    "kind": "township",
                    "code": f"township-{index:03d}",
                    "name": name,
                    "township_kind": _township_kind(name),
                },
                position + index,
                hosts,
            )
    except KeyError as exc:
        raise OrganisationDataError(f"{path.name}: missing key {exc}") from exc
    record(
        actor=by,
        verb=AuditVerb.ORGANISATIONS_LOADED if not created else AuditVerb.JURISDICTION_CREATED,
        target=jurisdiction,
        after={"file": path.name, "units": jurisdiction.units.count()},
    )
    for position, zone in enumerate(data.get("service_zones", []), start=1):
        centre = hosts.get(zone.get("service_centre", ""))
        if centre is None or centre.kind != Unit.Kind.SERVICE_CENTRE:
            raise OrganisationDataError(
                f"{path.name}: service zone {zone.get('name')!r}: service_centre: "
                f"no service centre {zone.get('service_centre')!r}"
            )
        ServiceZone.objects.update_or_create(
            jurisdiction=jurisdiction,
            name=zone["name"],
            defaults={
                "service_centre": centre,
                "address": zone.get("address", ""),
                "hours": zone.get("hours", ""),
                "phone": zone.get("phone", ""),
                "position": position,
            },
        )
    return jurisdiction


def organisation_data_files() -> list[Path]:
    """Data files in load order: the city before its districts (parents first)."""
    return sorted(DATA_DIR.glob("*.toml"), key=lambda p: (not p.stem.endswith("0000"), p.stem))
