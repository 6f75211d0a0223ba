"""统一送达: the result reaches the applicant, in person (who received it, a signature photo), by post
(carrier and tracking number) or as an e-certificate; the request completes when it was the last item."""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from daiban.common.validators import validate_not_in_future
from daiban.notifications.services import text_mobile
from daiban.organizations.models import User

from ..models import (
    CaseItem,
    Delivery,
    RequestDocument,
)
from ..rating_links import rating_token
from ..uploads import sniff, store_document
from ..workflows import ITEM
from .requests import complete_request_if_done


@dataclass(frozen=True)
class DeliveryData:
    """统一送达: in person (who received it), by post (carrier and tracking number) or e-certificate."""

    method: str
    delivered_on: dt.date
    receiver: str = ""
    carrier: str = ""
    tracking_number: str = ""
    signature: UploadedFile | None = None


def _check_delivery(item: CaseItem, data: DeliveryData) -> str:
    """Everything about a delivery that can be wrong, at once; returns the signature's sniffed type."""
    errors: dict[str, str] = {}
    if data.method not in Delivery.Method.values:
        errors["method"] = _("Choose how the result was delivered.")
    if data.method == Delivery.Method.IN_PERSON and not data.receiver.strip():
        errors["receiver"] = _("Name the person who received it.")
    if data.method == Delivery.Method.POST and (
        not data.carrier.strip() or not re.fullmatch(r"[A-Za-z0-9]{8,30}", data.tracking_number.strip())
    ):
        errors["tracking_number"] = _("Give the carrier and its tracking number (8–30 letters or digits).")
    if data.method == Delivery.Method.E_CERTIFICATE and not item.result_document.is_e_certificate:
        errors["method"] = _("This result is not issued as an e-certificate.")
    elif item.state == CaseItem.State.APPROVED and data.method != Delivery.Method.E_CERTIFICATE:
        errors["method"] = _("Without a pick-up only an e-certificate can be delivered.")
    signature_mime = ""
    if data.signature is not None:
        try:
            signature_mime = sniff(data.signature)
        except ValidationError as exc:
            errors["signature"] = " ".join(exc.messages)
        else:
            if not signature_mime.startswith("image/"):
                errors["signature"] = _("The signature must be a photo (JPEG or PNG).")
    if errors:
        raise ValidationError(errors)
    validate_not_in_future(data.delivered_on, field="delivered_on")
    if item.picked_up_on is not None and data.delivered_on < item.picked_up_on:
        raise ValidationError({"delivered_on": _("A result cannot be delivered before it was picked up.")})
    return signature_mime


@transaction.atomic
def deliver(
    *,
    item: CaseItem,
    method: str,
    delivered_on: dt.date,
    by: User,
    expected_version: int,
    receiver: str = "",
    carrier: str = "",
    tracking_number: str = "",
    signature: UploadedFile | None = None,
) -> CaseItem:
    """统一送达: the result reaches the applicant; the request completes when it was the last item."""
    data = DeliveryData(method, delivered_on, receiver, carrier, tracking_number, signature)
    item = ITEM.lock(item)
    signature_mime = _check_delivery(item, data)
    item = ITEM.apply(item, "deliver", by=by, expected_version=expected_version)
    Delivery.objects.create(
        case_item=item,
        method=data.method,
        delivered_on=data.delivered_on,
        receiver=data.receiver.strip(),
        carrier=data.carrier.strip(),
        tracking_number=data.tracking_number.strip(),
    )
    if data.signature is not None:
        store_document(
            request=item.request,
            upload=data.signature,
            mime=signature_mime,
            by=by,
            kind=RequestDocument.Kind.SIGNATURE,
            case_item=item,
        )
    _text_rating_link(item)
    complete_request_if_done(request=item.request, by=by)
    return item


def _text_rating_link(item: CaseItem) -> None:
    """一事一评: the enterprise's contact mobile gets the link to rate this item's service, no sign-in."""
    request = item.request
    path = reverse("feedback:rate_item", args=[rating_token(item.pk)])
    text_mobile(
        mobile=request.applicant.contact_mobile,
        verb="feedback.rating_link_sent",
        title=_("Rate the service: %(item)s") % {"item": item.approval_item.name},
        body=_(
            "%(project)s: the result of %(item)s was delivered. "
            "Rate the service within %(days)d days: %(url)s"
        )
        % {
            "project": request.project.name,
            "item": item.approval_item.name,
            "days": settings.DAIBAN_RATING_LINK_DAYS,
            "url": f"{settings.DAIBAN_SITE_URL}{path}",
        },
        url=path,
        jurisdiction_code=request.jurisdiction.code,
    )
