from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose working-day schedule is known. Without this row, deadlines in the year are refused.

    `jurisdiction_code` blank is the national schedule; a jurisdiction's row adds local exceptions on top.
    """

    AUDIT_JURISDICTION = "jurisdiction_code"  # where `common.audit` finds its jurisdiction

    class Source(models.TextChoices):
        LIBRARY = "library", _("chinese-calendar library")
        ADMIN = "admin", _("entered by an administrator")

    year = models.PositiveSmallIntegerField(_("year"))
    jurisdiction_code = models.CharField(
        _("jurisdiction code"),
        max_length=6,
        blank=True,
        help_text=_("Leave blank for the national schedule."),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ADMIN)
    notice = models.CharField(
        _("notice"),
        max_length=255,
        blank=True,
        help_text=_("e.g. the State Council's holiday notice for the year"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year", "jurisdiction_code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "jurisdiction_code"], name="calendar_year_unique"),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="calendar_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}{f' ({self.jurisdiction_code})' if self.jurisdiction_code else ''}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a public holiday, or a make-up working day on a weekend."""

    AUDIT_JURISDICTION = "calendar_year.jurisdiction_code"  # where `common.audit` finds its jurisdiction

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (no work)")
        MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")

    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("calendar year"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar_year", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def clean(self) -> None:
        if self.date and self.calendar_year_id and self.date.year != self.calendar_year.year:
            raise ValidationError({"date": _("The date must lie in the calendar year.")})
