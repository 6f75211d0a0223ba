from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from daiban.common.validators import validate_mobile, validate_uscc
from daiban.organizations.models import Jurisdiction, Unit

from .validators import validate_project_code


class Applicant(models.Model):
    """An enterprise (项目单位) served in one jurisdiction; the same company in two counties is two rows."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="applicants"
    )
    name = models.CharField(_("enterprise name"), max_length=128)
    uscc = models.CharField(_("unified social credit code"), max_length=18, validators=[validate_uscc])
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_mobile = models.CharField(_("contact mobile"), max_length=11, validators=[validate_mobile])
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["jurisdiction", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "uscc"], name="applicant_uscc_unique_in_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApplicantRepresentative(models.Model):
    """Ties a signed-in user to the enterprise they act for; that is what makes them an applicant user."""

    AUDIT_JURISDICTION = "applicant.jurisdiction"  # where `common.audit` finds its jurisdiction

    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), on_delete=models.CASCADE, related_name="representatives"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="represents"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("applicant representative")
        verbose_name_plural = _("applicant representatives")
        constraints = [models.UniqueConstraint(fields=["applicant", "user"], name="representative_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.applicant}"


class Project(models.Model):
    """A social-investment construction project: new build, renovation or expansion."""

    class Kind(models.TextChoices):
        NEW = "new", _("New build")
        RENOVATION = "renovation", _("Renovation")
        EXPANSION = "expansion", _("Expansion")

    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="projects"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("project name"), max_length=200)
    # Empty only until the 备案/核准 item of a request is approved: the platform issues the code then.
    project_code = models.CharField(
        _("project code"), max_length=24, blank=True, validators=[validate_project_code]
    )
    kind = models.CharField(_("construction type"), max_length=16, choices=Kind.choices)
    location = models.ForeignKey(
        Unit,
        verbose_name=_("location (township or park)"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"kind__in": [Unit.Kind.TOWNSHIP, Unit.Kind.PARK]},
    )
    address = models.CharField(_("site address"), max_length=255, blank=True)
    investment_amount = models.DecimalField(
        _("total investment (10,000 yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    land_area = models.DecimalField(
        _("land area (m²)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "project_code"],
                condition=~models.Q(project_code=""),
                name="project_code_unique_in_jurisdiction",
            )
        ]
        indexes = [models.Index(fields=["jurisdiction", "location"], name="project_location_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def in_park(self) -> bool:
        """Park projects get their agents from the park committee (酉阳方案 四(二)1)."""
        return self.location.kind == Unit.Kind.PARK
