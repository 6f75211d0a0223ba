from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.cases.models import CaseItem, ServiceRequest


class PlanMilestone(models.Model):
    """An applicant's milestone in a request's plan: a date (land contract signed, design done) or a span
    after an item (construction period after the permit), gating the items it names."""

    AUDIT_JURISDICTION = "request.jurisdiction"  # where `common.audit` finds its jurisdiction

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="plan_milestones"
    )
    name = models.CharField(_("milestone"), max_length=100)
    on = models.DateField(_("date"), null=True, blank=True)
    after_item = models.ForeignKey(
        CaseItem,
        verbose_name=_("after item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    after_days = models.PositiveIntegerField(_("calendar days after it"), default=0)
    before_items = models.ManyToManyField(
        CaseItem, verbose_name=_("items that wait for it"), related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan milestone")
        verbose_name_plural = _("plan milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(on__isnull=False, after_item__isnull=True)
                | Q(on__isnull=True, after_item__isnull=False),
                name="milestone_date_or_after_item",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlanAdjustment(models.Model):
    """The agent's own planned filing date for an item (flagged if it breaks a prerequisite)."""

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"  # where `common.audit` finds its jurisdiction

    case_item = models.OneToOneField(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="plan_adjustment"
    )
    start_on = models.DateField(_("planned filing date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now=True)

    class Meta:
        verbose_name = _("plan adjustment")
        verbose_name_plural = _("plan adjustments")

    def __str__(self) -> str:
        return f"{self.case_item} {self.start_on}"


class ConstructionPeriod(models.Model):
    """The agent's construction period for a request, in calendar days from the construction permit to the
    completion-acceptance items; without one the plan uses the default of the project's construction type."""

    AUDIT_JURISDICTION = "request.jurisdiction"  # where `common.audit` finds its jurisdiction

    request = models.OneToOneField(
        ServiceRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="construction_period",
    )
    days = models.PositiveIntegerField(_("construction period (calendar days)"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now=True)

    class Meta:
        verbose_name = _("construction period")
        verbose_name_plural = _("construction periods")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=3650), name="construction_period_days")
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.days}"
