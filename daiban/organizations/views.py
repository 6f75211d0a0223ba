from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daiban.common.forms import add_service_errors

from .auth import AuthenticatedRequest
from .forms import ReplacementForm
from .models import Unit, User, WorkingGroup, WorkingGroupMember
from .permissions import files_working_group_changes, staff_only
from .selectors import jurisdictions_visible_to, units_visible_to
from .services import file_replacement


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


def _group_page(
    request: AuthenticatedRequest, group: WorkingGroup, form: ReplacementForm | None, status: int = 200
) -> HttpResponse:
    changes = group.changes.select_related(
        "member_in__user", "member_out__user", "member_in__unit", "filed_by"
    )
    order: dict[str, int] = {WorkingGroupMember.Position.LEADER: 0, WorkingGroupMember.Position.DEPUTY: 1}
    roster = list(group.members.select_related("user", "unit"))
    members = sorted((m for m in roster if m.left_on is None), key=lambda m: (order.get(m.position, 2), m.id))
    former = sorted(
        (m for m in roster if m.left_on is not None), key=lambda m: (m.left_on, m.id), reverse=True
    )
    return render(
        request,
        "organizations/working_group_detail.html",
        {"group": group, "members": members, "former": former, "changes": changes[:100], "form": form},
        status=status,
    )


def _replacement_form(group: WorkingGroup, data: Any = None) -> ReplacementForm:
    seats = group.members.filter(left_on__isnull=True).select_related("user", "unit")
    people = User.objects.filter(
        role_assignments__jurisdiction=group.jurisdiction, role_assignments__revoked_at__isnull=True
    ).distinct()
    return ReplacementForm(data, seats=seats, people=people)


def _visible_group(request: AuthenticatedRequest, pk: int) -> WorkingGroup:
    return get_object_or_404(
        WorkingGroup.objects.filter(jurisdiction__in=jurisdictions_visible_to(request.user)).select_related(
            "office", "jurisdiction"
        ),
        pk=pk,
    )


@staff_only
def working_group_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The roster, its former members and every filed change; the group's office also files changes here."""
    group = _visible_group(request, pk)
    may_file = files_working_group_changes(request.user, group.office_id)
    return _group_page(request, group, _replacement_form(group) if may_file else None)


@staff_only
@require_POST
def working_group_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The office files a replacement (替补) with its 备案 date."""
    group = _visible_group(request, pk)
    if not files_working_group_changes(request.user, group.office_id):
        raise PermissionDenied(_("Member changes are filed by the working group's office."))
    form = _replacement_form(group, request.POST)
    if form.is_valid():
        c = form.cleaned_data
        try:
            file_replacement(
                group=group,
                leaving=c["leaving"],
                replacement=c["replacement"],
                reason=c["reason"],
                filed_on=c["filed_on"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The replacement is filed and the roster updated."))
            return redirect("organizations:working_group_detail", pk=group.pk)
    return _group_page(request, group, form, status=400)
