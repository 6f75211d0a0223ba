from django.db import models
from django.utils.translation import gettext_lazy as _

from daiban.organizations.models import Jurisdiction


class OnboardingRecord(models.Model):
    """The last onboarding file loaded for a jurisdiction (ADR 0024): what it said about the rules that
    other parts of the platform own — the routing policy and the service levels — kept as checked data
    until they are handed to those parts (`applied_at`), and the file's checksum."""

    AUDIT_JURISDICTION = "jurisdiction"  # where `common.audit` finds its jurisdiction

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="onboarding"
    )
    source_file = models.CharField(_("data file"), max_length=255)
    checksum = models.CharField(_("checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    routing = models.JSONField(_("routing policy"), default=dict, blank=True)
    service_levels = models.JSONField(_("service levels"), default=dict, blank=True)
    applied_at = models.DateTimeField(
        _("rules applied at"),
        null=True,
        blank=True,
        help_text=_("Empty while the routing policy and service levels are only stored, not yet in force."),
    )

    class Meta:
        verbose_name = _("onboarding record")
        verbose_name_plural = _("onboarding records")
        ordering = ["jurisdiction"]

    def __str__(self) -> str:
        return f"{self.jurisdiction} · {self.source_file}"
