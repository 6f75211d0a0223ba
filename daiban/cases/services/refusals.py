"""送达不予许可决定书: the refusal decision reaches the enterprise.

A refused item is terminal (REFUSED is in DONE_STATES, and the request completes when its last item is
decided); the refusal's delivery is therefore a fact recorded on the item — `RefusalNotice` — not a move of
its graph (docs/adr/0029). It is written like a step all the same: under the item's lock (`ITEM.lock`, the
request's row first), checked, then history, audit and the applicant's notification in one transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, record
from daiban.common.validators import future_date_error
from daiban.common.workflow import NotYourStep
from daiban.organizations.models import User

from ..models import CaseItem, RefusalNotice, RequestDocument, TimelineEntry
from ..selectors import refusal_reason
from ..uploads import sniff, store_document
from ..workflows import ITEM, is_agent_or_self_filer, item_url, tell_applicant

RECEIPT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


def refusal_notice_refusal(item: CaseItem, by: User) -> str | None:
    """Why `by` cannot record the delivery of this item's refusal decision now, or None: the page shows the
    form only when this is None, and the service raises the same reasons."""
    if item.state != CaseItem.State.REFUSED:
        return _("Only a refused item has a refusal decision to deliver.")
    if hasattr(item, "refusal_notice"):
        return _("The refusal decision was already delivered (on %(on)s).") % {
            "on": item.refusal_notice.delivered_on
        }
    if not is_agent_or_self_filer(by, item):
        return _("Only the item's agent (or, for 帮办, the enterprise itself) records this delivery.")
    return None


@transaction.atomic
def deliver_refusal_notice(
    *,
    item: CaseItem,
    method: str,
    delivered_on: dt.date,
    recipient: str,
    by: User,
    receipt: UploadedFile | None = None,
) -> RefusalNotice:
    """Record that the refusal decision (不予许可决定书) was handed to the enterprise: how, when, to whom,
    with an optional photo or scan of the signed receipt; the applicant is told, with the reason."""
    item = ITEM.lock(item)
    if not is_agent_or_self_filer(by, item):
        raise NotYourStep(
            _("Only the item's agent (or, for 帮办, the enterprise itself) records this delivery.")
        )
    if item.state != CaseItem.State.REFUSED:
        raise ValidationError(_("Only a refused item has a refusal decision to deliver."))
    already = RefusalNotice.objects.filter(case_item=item).first()
    if already is not None:
        raise ValidationError(
            _("The refusal decision was already delivered (on %(on)s).") % {"on": already.delivered_on}
        )
    errors: dict[str, str] = {}
    if method not in RefusalNotice.Method.values:
        errors["method"] = _("Choose how the refusal decision was delivered.")
    if not recipient.strip():
        errors["recipient"] = _("Name who received the refusal decision.")
    elif len(recipient.strip()) > 64:
        errors["recipient"] = _("The recipient's name has at most 64 characters.")
    if future := future_date_error(delivered_on):
        errors["delivered_on"] = future
    elif item.decided_on is not None and delivered_on < item.decided_on:
        errors["delivered_on"] = _(
            "The refusal decision cannot be delivered before it was made (%(on)s)."
        ) % {"on": item.decided_on}
    receipt_mime = ""
    if receipt is not None:
        try:
            receipt_mime = sniff(receipt)
        except ValidationError as exc:
            errors["receipt"] = " ".join(exc.messages)
        else:
            if receipt_mime not in RECEIPT_TYPES:
                errors["receipt"] = _("The receipt must be a photo (JPEG or PNG) or a PDF scan.")
    if errors:
        raise ValidationError(errors)
    document = None
    if receipt is not None:
        document = store_document(
            request=item.request,
            upload=receipt,
            mime=receipt_mime,
            by=by,
            kind=RequestDocument.Kind.REFUSAL_RECEIPT,
            case_item=item,
        )
    notice = RefusalNotice.objects.create(
        case_item=item,
        method=method,
        delivered_on=delivered_on,
        recipient=recipient.strip(),
        receipt=document,
        recorded_by=by,
    )
    name = item.approval_item.name
    TimelineEntry.objects.create(
        request=item.request,
        case_item=item,
        by=by,
        verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED,
        text=f"{name}：{notice.get_method_display()} {delivered_on:%Y-%m-%d} {notice.recipient}",
    )
    record(
        actor=by,
        verb=AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED,
        target=notice,
        after={
            "method": method,
            "delivered_on": str(delivered_on),
            "recipient": notice.recipient,
            "receipt": document.pk if document is not None else None,
        },
    )
    tell_applicant(
        item.request,
        AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED,
        _("%(item)s: the refusal decision was delivered to you") % {"item": name},
        _("Reason for refusing: %(reason)s") % {"reason": refusal_reason(item) or "—"},
        url=item_url(item),
    )
    return notice
