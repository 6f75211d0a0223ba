"""安全审计: the audit trail of the person's jurisdictions, searchable and exportable."""

from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from daiban.common.access import permission_rule
from daiban.common.audit import AuditVerb, record, verb_label
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Role
from daiban.organizations.permissions import roles_rule

from ..audit_export import EXPORT_LIMIT, audit_workbook
from ..forms import AuditSearchForm
from ..selectors import audit_entries_visible_to

audit_readers = permission_rule(roles_rule(Role.SUPERVISOR, Role.ADMINISTRATOR))


def _search(request: AuthenticatedRequest) -> tuple[AuditSearchForm, bool]:
    form = AuditSearchForm(request.GET or None)
    return form, form.is_valid() if request.GET else True


@audit_readers
def audit_list(request: AuthenticatedRequest) -> HttpResponseBase:
    form, valid = _search(request)
    entries = audit_entries_visible_to(request.user).select_related("actor").order_by("-at", "-id")
    if valid and request.GET:
        entries = form.filter(entries)
    page = Paginator(entries if valid else entries.none(), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filters = query.urlencode()
    for entry in page:
        entry.label = verb_label(entry.verb)  # type: ignore[attr-defined]
    return render(
        request,
        "oversight/audit_list.html",
        {"form": form, "page": page, "verbs": list(AuditVerb), "filters": filters},
        status=200 if valid else 400,
    )


@audit_readers
def audit_export(request: AuthenticatedRequest) -> HttpResponseBase:
    form, valid = _search(request)
    if not valid:
        return audit_list(request)
    entries = audit_entries_visible_to(request.user).select_related("actor").order_by("-at", "-id")
    if request.GET:
        entries = form.filter(entries)
    record(
        actor=request.user,
        verb=AuditVerb.DATA_EXPORTED,
        target=None,
        label="audit trail",
        after={"filters": {k: v for k, v in request.GET.items() if k != "page"}, "limit": EXPORT_LIMIT},
    )
    return FileResponse(
        audit_workbook(entries[:EXPORT_LIMIT].iterator(chunk_size=2000)),
        as_attachment=True,
        filename=f"审计日志-{timezone.localdate():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
