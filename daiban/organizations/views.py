from collections import defaultdict

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .auth import AuthenticatedRequest
from .models import Unit, WorkingGroup, WorkingGroupMember
from .permissions import staff_only
from .selectors import jurisdictions_visible_to, units_visible_to


@staff_only
def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    units = (
        units_visible_to(request.user)
        .filter(is_active=True)
        .annotate(
            section_count=Count("sections", distinct=True), window_count=Count("windows", distinct=True)
        )
        .order_by("jurisdiction__code", "kind", "position")
    )
    grouped: dict[object, dict[str, list[Unit]]] = defaultdict(lambda: defaultdict(list))
    for unit in units:
        grouped[unit.jurisdiction][unit.get_kind_display()].append(unit)
    groups = WorkingGroup.objects.filter(jurisdiction__in=jurisdictions_visible_to(request.user))
    return render(
        request,
        "organizations/unit_list.html",
        {"grouped": {j: dict(kinds) for j, kinds in grouped.items()}, "working_groups": groups},
    )


@staff_only
def working_group_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(
        WorkingGroup.objects.filter(jurisdiction__in=jurisdictions_visible_to(request.user)), pk=pk
    )
    changes = group.changes.select_related("member_in__user", "member_out__user", "filed_by")[:50]
    order: dict[str, int] = {WorkingGroupMember.Position.LEADER: 0, WorkingGroupMember.Position.DEPUTY: 1}
    current = group.members.filter(left_on__isnull=True).select_related("user", "unit")
    members = sorted(current, key=lambda m: (order.get(m.position, 2), m.id))
    return render(
        request,
        "organizations/working_group_detail.html",
        {"group": group, "members": members, "changes": changes},
    )
