from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from daiban.cases.models import CaseItem
from daiban.common.audit import record, snapshot
from daiban.notifications.services import notify
from daiban.organizations.models import Role, User
from daiban.organizations.selectors import role_holders

from .models import CoordinationIssue


@transaction.atomic
def raise_issue_from_item(*, item: CaseItem, title: str, description: str, by: User) -> CoordinationIssue:
    """An agent takes a problem it cannot solve alone to the reform office's issue list."""
    item = CaseItem.objects.select_related("request__jurisdiction", "request__project", "approval_item").get(
        pk=item.pk
    )
    if item.agent_id != by.pk:
        raise ValidationError(_("Only the item's agent raises a coordination problem from it."))
    errors = {}
    if len(title.strip()) < 4:
        errors["title"] = _("Name the problem in a few words.")
    if len(description.strip()) < 10:
        errors["description"] = _("Describe what is blocked and who is involved.")
    if errors:
        raise ValidationError(errors)
    request = item.request
    issue = CoordinationIssue.objects.create(
        jurisdiction=request.jurisdiction, case_item=item, title=title.strip()[:200], description=description.strip(),
        raised_by=by,
    )  # fmt: skip
    record(actor=by, verb="issue.raised", target=issue, after=snapshot(issue, ["title", "case_item", "status"]),
           jurisdiction_code=request.jurisdiction.code)  # fmt: skip
    supervisors = role_holders(Role.SUPERVISOR, jurisdiction=request.jurisdiction)
    notify(
        recipients=supervisors, verb="issue.raised",
        title=_("Coordination problem raised: %(title)s") % {"title": issue.title},
        body=f"{request.project.name} · {item.approval_item.name}", url=reverse("oversight:issue_list"),
        jurisdiction_code=request.jurisdiction.code,
    )  # fmt: skip
    return issue
