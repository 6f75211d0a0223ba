from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from daiban.cases.models import CaseItem
from daiban.organizations.models import Jurisdiction


class CoordinationIssue(models.Model):
    """An entry of the 需协办事项问题清单: a problem that needs the reform office to coordinate.

    Raised by an agent from an item (or, later, by a unit on its own); the reform office assigns it, sets a
    deadline and follows it to resolution (issue #7 builds those steps on this record)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="coordination_issues",
    )
    case_item = models.ForeignKey(
        CaseItem,
        verbose_name=_("case item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coordination issue")
        verbose_name_plural = _("coordination issues")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["jurisdiction", "status"], name="issue_status_idx")]

    def __str__(self) -> str:
        return self.title
