"""Routing policies (ADR 0022): who is responsible for each item of a request, and what the project's
township or park does besides seeing it. A jurisdiction chooses one named strategy and its parameters
(`RoutingPolicy`, in the admin or from data); the result is stored on the request and its items when it is
submitted (ADR 0006), so a later change of policy, roster or location never moves a running request.

The strategies:

- `park_committee_or_department` — 酉阳方案 四(二): "园区项目由园区管委会安排帮代办专员；
  其他项目由县级审批部门会同项目所在乡镇（街道）安排". Park projects (of the park kinds named)
  → the park committee for every item; others → the item's department, with the township
  co-responsible (it arranges agents too).
- `working_group_member` — 大足方案 四: "各成员单位为帮代办工作的实施主体", with each
  working-group member tied to a department and an approval stage ("区规资局--用地规划许可和
  工程建设许可阶段", "区住建委--施工许可阶段"). The member unit that matches the item (by the
  rules in `match`, in order) is responsible; the item's department when none matches; the
  township or park is the local contact only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from daiban.catalogue.models import ApprovalItem
from daiban.organizations.models import Jurisdiction, Unit, WorkingGroup, WorkingGroupMember

from .models import LocalityRole, RoutingPolicy, RoutingPolicyName


@dataclass(frozen=True)
class Routing:
    """A policy's answer for one request: the responsible unit per catalogue entry, the locality's role."""

    policy: str
    locality_role: str
    units: Mapping[int, Unit]  # approval item pk → responsible unit

    def unit_for(self, item: ApprovalItem) -> Unit:
        return self.units[item.pk]


Parameters = dict[str, Any]


@dataclass(frozen=True)
class Strategy:
    name: str
    defaults: Parameters
    check: Callable[[Parameters, Jurisdiction], None]  # raises ValidationError naming the parameter
    route: Callable[[Unit, Sequence[ApprovalItem], Parameters, datetime.date], Routing]

    def clean(self, parameters: Mapping[str, Any] | None, jurisdiction: Jurisdiction) -> Parameters:
        """The parameters completed with the defaults, checked; unknown names are refused."""
        if parameters is not None and not isinstance(parameters, Mapping):
            raise ValidationError({"parameters": _("The parameters are a table of names and values.")})
        given = dict(parameters or {})
        unknown = sorted(set(given) - set(self.defaults))
        if unknown:
            raise ValidationError(
                {
                    "parameters": _("Unknown parameters for %(policy)s: %(names)s; allowed: %(allowed)s")
                    % {
                        "policy": self.name,
                        "names": "、".join(unknown),
                        "allowed": "、".join(sorted(self.defaults)),
                    }
                }
            )
        cleaned = {**self.defaults, **given}
        self.check(cleaned, jurisdiction)
        return cleaned


def _refuse(name: str, message: str) -> ValidationError:
    return ValidationError({"parameters": f"{name}: {message}"})


def _check_role(value: object, name: str) -> None:
    if value not in LocalityRole.values:
        raise _refuse(name, _("one of %(values)s") % {"values": "、".join(LocalityRole.values)})


# park_committee_or_department (酉阳) -----------------------------------------------------------------------


def _check_park(parameters: Parameters, jurisdiction: Jurisdiction) -> None:
    kinds = parameters["park_kinds"]
    if not isinstance(kinds, list) or any(k not in Unit.ParkKind.values for k in kinds):
        values = "、".join(Unit.ParkKind.values)
        raise _refuse("park_kinds", _("a list of park kinds among %(values)s") % {"values": values})
    _check_role(parameters["township_role"], "township_role")


def _route_park(
    locality: Unit, items: Sequence[ApprovalItem], parameters: Parameters, today: datetime.date
) -> Routing:
    in_park = locality.kind == Unit.Kind.PARK and locality.park_kind in parameters["park_kinds"]
    return Routing(
        policy=RoutingPolicyName.PARK_COMMITTEE_OR_DEPARTMENT,
        locality_role=LocalityRole.CO_RESPONSIBLE if in_park else parameters["township_role"],
        units={item.pk: locality if in_park else item.department for item in items},
    )


# working_group_member (大足) -----------------------------------------------------------------------------

MATCH_RULES = ("department_stage", "department", "stage")
"""How a member is matched to an item: `department_stage` — a member of the item's department tied to the
item's stage; `department` — a member of the item's department tied to no stage; `stage` — when the item's
department holds no seat in the group, the unit of the (earliest) member tied to the item's stage."""


def _group(parameters: Parameters, jurisdiction: Jurisdiction) -> WorkingGroup | None:
    groups = WorkingGroup.objects.filter(jurisdiction=jurisdiction)
    name = parameters["working_group"]
    return (groups.filter(name=name) if name else groups).order_by("id").first()


def _check_group(parameters: Parameters, jurisdiction: Jurisdiction) -> None:
    if not isinstance(parameters["working_group"], str):
        raise _refuse("working_group", _("the working group's name, or empty for the jurisdiction's group"))
    if parameters["working_group"] and _group(parameters, jurisdiction) is None:
        raise _refuse(
            "working_group",
            _("%(name)s is not a working group of %(jurisdiction)s")
            % {"name": parameters["working_group"], "jurisdiction": jurisdiction.name},
        )
    match = parameters["match"]
    if (
        not isinstance(match, list)
        or not match
        or any(m not in MATCH_RULES for m in match)
        or len(set(match)) != len(match)
    ):
        raise _refuse(
            "match", _("a list of distinct rules among %(values)s") % {"values": "、".join(MATCH_RULES)}
        )
    _check_role(parameters["locality_role"], "locality_role")


def _route_group(
    locality: Unit, items: Sequence[ApprovalItem], parameters: Parameters, today: datetime.date
) -> Routing:
    group = _group(parameters, locality.jurisdiction)
    seats = (
        list(
            WorkingGroupMember.objects.filter(group=group, joined_on__lte=today)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
            .select_related("unit")
            .order_by("joined_on", "id")
        )
        if group is not None
        else []
    )

    seated = {seat.unit_id for seat in seats}

    def unit_for(item: ApprovalItem) -> Unit:
        for rule in parameters["match"]:
            for seat in seats:
                same_department = seat.unit_id == item.department_id
                if (
                    (rule == "department_stage" and same_department and seat.stage == item.stage)
                    or (rule == "department" and same_department and not seat.stage)
                    or (rule == "stage" and item.department_id not in seated and seat.stage == item.stage)
                ):
                    return seat.unit
        return item.department

    return Routing(
        policy=RoutingPolicyName.WORKING_GROUP_MEMBER,
        locality_role=parameters["locality_role"],
        units={item.pk: unit_for(item) for item in items},
    )


STRATEGIES: dict[str, Strategy] = {
    RoutingPolicyName.PARK_COMMITTEE_OR_DEPARTMENT: Strategy(
        name=RoutingPolicyName.PARK_COMMITTEE_OR_DEPARTMENT,
        defaults={
            "park_kinds": [Unit.ParkKind.INDUSTRIAL.value, Unit.ParkKind.AGRICULTURAL.value],
            "township_role": LocalityRole.CO_RESPONSIBLE.value,
        },
        check=_check_park,
        route=_route_park,
    ),
    RoutingPolicyName.WORKING_GROUP_MEMBER: Strategy(
        name=RoutingPolicyName.WORKING_GROUP_MEMBER,
        defaults={
            "working_group": "",
            "match": list(MATCH_RULES),
            "locality_role": LocalityRole.CONTACT.value,
        },
        check=_check_group,
        route=_route_group,
    ),
}
"""The registry: a policy's name → its strategy. A new way of routing is a new entry here (and a name in
`RoutingPolicyName`), never a condition on a jurisdiction's code."""

DEFAULT_POLICY = RoutingPolicyName.PARK_COMMITTEE_OR_DEPARTMENT
"""For a jurisdiction that has chosen none: the rule every jurisdiction followed before ADR 0022."""


def strategy(name: str) -> Strategy:
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValidationError(
            {
                "policy": _("Unknown routing policy %(name)s; known: %(known)s")
                % {"name": name, "known": "、".join(STRATEGIES)}
            }
        ) from None


def route(*, jurisdiction: Jurisdiction, locality: Unit, items: Sequence[ApprovalItem]) -> Routing:
    """The jurisdiction's policy applied to one request's items today."""
    chosen = RoutingPolicy.objects.filter(jurisdiction=jurisdiction).first()
    name = chosen.policy if chosen is not None else DEFAULT_POLICY
    found = strategy(name)
    parameters = found.clean(chosen.parameters if chosen is not None else {}, jurisdiction)
    return found.route(locality, items, parameters, timezone.localdate())
