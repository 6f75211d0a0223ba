"""The printable delivery receipt (送达回证): printed at pick-up for the receiver to sign, kept after
delivery."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from daiban.common.pdf import CHINESE_FONT as FONT

from .models import CaseItem


def delivery_receipt_pdf(item: CaseItem) -> bytes:
    request = item.request
    delivery = getattr(item, "delivery", None)
    rows: list[tuple[str, str]] = [
        (_("Document served"), item.result_document.name),
        (_("Approval item"), item.approval_item.name),
        (_("Project"), f"{request.project.name}（{request.project.project_code}）"),
        (_("Served on"), request.applicant.name),
        (_("Receipt number"), item.external_ref or "—"),
        (_("Decided on"), str(item.decided_on or "—")),
        (_("Agent"), f"{item.agent.display_name} {item.agent.mobile}" if item.agent else "—"),
        (_("Responsible unit"), item.responsible_unit.name),
    ]
    if delivery is not None:
        rows.append((_("Method of service"), delivery.get_method_display()))
        rows.append((_("Served on (date)"), str(delivery.delivered_on)))
        detail = delivery.receiver or f"{delivery.carrier} {delivery.tracking_number}".strip()
        if detail:
            rows.append((_("Receiver / tracking"), detail))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Delivery receipt"))
    width, height = A4
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, height - 30 * mm, _("Delivery receipt"))
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, height - 38 * mm, f"{request.jurisdiction.name}  {request.reference}")
    y = height - 55 * mm
    left, split, right = 25 * mm, 70 * mm, width - 25 * mm
    for label, value in rows:
        pdf.rect(left, y - 4 * mm, right - left, 11 * mm)
        pdf.line(split, y - 4 * mm, split, y + 7 * mm)
        pdf.setFont(FONT, 11)
        pdf.drawString(left + 3 * mm, y, label)
        pdf.drawString(split + 3 * mm, y, value[:48])
        y -= 11 * mm
    y -= 12 * mm
    pdf.drawString(left, y, _("Received by (signature): ____________    Date: ____________"))
    y -= 12 * mm
    pdf.drawString(left, y, _("Served by (agent): ____________"))
    y -= 16 * mm
    pdf.setFont(FONT, 9)
    pdf.drawString(
        left, y, _("The assist-and-proxy service is free of charge; only fees required by law are paid.")
    )
    pdf.drawString(
        left, y - 6 * mm, _("Printed %(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
