"""The printable plan handed to the applicant: the Gantt chart (drawn here with reportlab, so the PDF needs
no browser), dates per item, critical path, and the task list."""

import datetime as dt
import io

from django.utils.translation import gettext as _
from reportlab.lib import colors
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

    if plan.construction:
        line(
            _("Construction period: %(n)d calendar days after the construction permit")
            % {"n": plan.construction.days}
            + ("（" + _("default to be confirmed") + "）" if plan.construction.to_confirm else ""),
            9,
        )
    pdf.setTitle(_("Pre-scheduled timeline"))
    line(f"{_('Pre-scheduled timeline')}  {request.project.name}", 16, 9)
    line(f"{request.jurisdiction.name}  {request.reference}  {_('Plan starts')} {plan.start_on}")
    if plan.permit_on:
        line(
            f"{_('Predicted construction permit')} {plan.permit_on}    {_('Predicted end')} {plan.finish_on}"
        )
    y -= 3 * mm
    if plan.rows:
        y = draw_chart(pdf, plan, left=left, top=y, width=landscape(A4)[0] - 2 * left)
        if y < 40 * mm:
            pdf.showPage()
            y = height - 15 * mm
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


ROW_HEIGHT = 5.5 * mm
LABEL_WIDTH = 75 * mm
CRITICAL = colors.HexColor("#c0392b")
NORMAL = colors.HexColor("#2c6fbb")
CONSTRUCTION = colors.HexColor("#9e9e9e")


def chart_bars(plan: RequestPlan) -> list[tuple[str, dt.date, dt.date, colors.Color]]:
    """The bars of the chart, top to bottom: every item, and the construction period as its own bar."""
    bars = [(row.name, row.start, row.finish, CRITICAL if row.critical else NORMAL) for row in plan.rows]
    if plan.construction and plan.permit_on:
        end = plan.permit_on + dt.timedelta(days=plan.construction.days)
        bars.append((_("Construction period"), plan.permit_on, end, CONSTRUCTION))
    return bars


def draw_chart(pdf: canvas.Canvas, plan: RequestPlan, *, left: float, top: float, width: float) -> float:
    """A Gantt chart: one labelled bar per item from its filing to its decision date, critical ones red,
    month lines with Chinese labels. Returns the height left below it. Rows that do not fit on the page are
    left out of the chart (the table below lists every item)."""
    bars = chart_bars(plan)
    first = min(start for _name, start, _end, _colour in bars)
    last = max(end for _name, _start, end, _colour in bars)
    span = max((last - first).days + 1, 1)
    track_left, track_width = left + LABEL_WIDTH, width - LABEL_WIDTH
    rows_fit = max(int((top - 30 * mm) / ROW_HEIGHT), 1)
    bars = bars[:rows_fit]
    bottom = top - 6 * mm - ROW_HEIGHT * len(bars)

    def x_of(day: dt.date) -> float:
        return float(track_left + track_width * (day - first).days / span)

    pdf.setFont(FONT, 7)
    pdf.setStrokeColor(colors.lightgrey)
    month = dt.date(first.year, first.month, 1)
    months = 0
    while month <= last:
        if month >= first:
            pdf.line(x_of(month), top, x_of(month), bottom)
        months += 1
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    step = max(months // 12, 1)  # a label every month, or fewer on long plans so they never overlap
    month, index = dt.date(first.year, first.month, 1), 0
    pdf.setFillColor(colors.black)
    while month <= last:
        if index % step == 0:
            pdf.drawString(max(x_of(month), track_left), top - 3 * mm, f"{month.year}年{month.month}月")
        index += 1
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    y = top - 6 * mm
    for name, start, end, colour in bars:
        y -= ROW_HEIGHT
        pdf.setFillColor(colors.black)
        pdf.setFont(FONT, 8)
        pdf.drawString(left, y + 1.3 * mm, name[:24])
        pdf.setFillColor(colour)
        bar_width = max(x_of(end + dt.timedelta(days=1)) - x_of(start), 1.0)
        pdf.rect(x_of(start), y + 0.8 * mm, bar_width, ROW_HEIGHT - 1.6 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    return y - 6 * mm
