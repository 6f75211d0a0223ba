"""The printable plan handed to the applicant: dates per item, critical path, and the task list."""

import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from daiban.cases.models import ServiceRequest
from daiban.common.pdf import CHINESE_FONT as FONT

from .selectors import RequestPlan


def plan_pdf(request: ServiceRequest, plan: RequestPlan) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=landscape(A4))
    height = landscape(A4)[1]
    left, y = 15 * mm, height - 18 * mm

    def line(text: str, size: int = 10, step: float = 6.5) -> None:
        nonlocal y
        if y < 15 * mm:
            pdf.showPage()
            y = height - 15 * mm
        pdf.setFont(FONT, size)
        pdf.drawString(left, y, text)
        y -= step * mm

    pdf.setTitle(_("Pre-scheduled timeline"))
    line(f"{_('Pre-scheduled timeline')}  {request.project.name}", 16, 9)
    line(f"{request.jurisdiction.name}  {request.reference}  {_('Plan starts')} {plan.start_on}")
    if plan.permit_on:
        line(
            f"{_('Predicted construction permit')} {plan.permit_on}    {_('Predicted end')} {plan.finish_on}"
        )
    y -= 3 * mm
    for row in plan.rows:
        mark = "★" if row.critical else "  "
        line(f"{mark} {row.start} → {row.finish}  {row.name}  （{'；'.join(row.reasons)[:70]}）")
    y -= 3 * mm
    line(_("Task list"), 13, 8)
    for task in plan.tasks:
        line(f"{task.due_on}  {task.item}：{task.material}  —  {task.responsible}")
    y -= 3 * mm
    line(_("★ on the critical path. Dates count working days; public holidays excluded."), 9)
    if plan.assumed_years:
        years = "、".join(str(year) for year in plan.assumed_years)
        line(
            _("Dates in %(years)s are provisional: that year's holidays are not published yet.")
            % {"years": years},
            9,
        )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
