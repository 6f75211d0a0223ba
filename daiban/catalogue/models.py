from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from daiban.common.stages import Stage
from daiban.organizations.models import Jurisdiction, Section, Unit


class CatalogueVersion(models.Model):
    """One version of a jurisdiction's catalogue: its own item, material, fee and prerequisite rows, never
    changed once published (ADR 0015). Cases point at the rows of the version in force when they were
    created, so loading or publishing a new version cannot move a running deadline or rewrite a guide.

    A version is a draft (an administrator edits it), in force (at most one per jurisdiction: new
    requests and the catalogue pages use it) or retired (kept for the cases and guide pages that cite it)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_FORCE = "in_force", _("In force")
        RETIRED = "retired", _("Retired")

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="catalogue_versions",
    )
    version = models.CharField(_("version"), max_length=32)
    source_file = models.CharField(_("data file"), max_length=255)
    checksum = models.CharField(_("checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective_on = models.DateField(_("in force from"), null=True, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The version a draft was copied from; its diff is shown before publishing."),
    )

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        ordering = ["jurisdiction", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "version"], name="catalogue_version_unique"),
            models.UniqueConstraint(
                fields=["jurisdiction"], condition=Q(status="in_force"), name="catalogue_version_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_on__isnull=False),
                name="catalogue_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.version}"

    @property
    def is_published(self) -> bool:
        return self.status != self.Status.DRAFT


class ResultDocument(models.Model):
    """What the applicant receives at the end of an item: a licence, a reply, a filing notice.

    Never changed once created (case items freeze theirs): a version that makes a result an
    e-certificate gets a second row with the same name."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="result_documents",
    )
    name = models.CharField(_("name"), max_length=128)
    is_e_certificate = models.BooleanField(
        _("electronic certificate"), default=False, help_text=_("The applicant can download it themselves.")
    )

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name", "is_e_certificate"], name="result_document_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalItem(models.Model):
    """A catalogue entry: one permit, approval or filing decided by one department of a jurisdiction.

    One row per catalogue version (ADR 0015): `code` names the entry across versions, the row is never
    changed once its version is published. `is_active` alone moves: it is true exactly for the rows of the
    jurisdiction's version in force (what new requests may choose), and only `publish_version` sets it."""

    class LimitUnit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="approval_items"
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices)
    department = models.ForeignKey(
        Unit,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="approval_items",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    legal_time_limit_days = models.PositiveSmallIntegerField(
        _("legal time limit"), validators=[MinValueValidator(0), MaxValueValidator(365)]
    )
    legal_time_limit_unit = models.CharField(
        _("unit of the legal time limit"),
        max_length=16,
        choices=LimitUnit.choices,
        default=LimitUnit.WORKING_DAYS,
    )
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("committed time limit (working days)"), validators=[MinValueValidator(0), MaxValueValidator(365)]
    )
    result_document = models.ForeignKey(
        ResultDocument, verbose_name=_("result document"), on_delete=models.PROTECT, related_name="items"
    )
    prerequisites: "models.ManyToManyField[ApprovalItem, ItemPrerequisite]" = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        through="ItemPrerequisite",
        symmetrical=False,
        related_name="dependants",
        blank=True,
    )
    source = models.TextField(
        _("source"), help_text=_("Where the entry's name, department and limits come from.")
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in force"), default=False)
    version = models.ForeignKey(
        CatalogueVersion, verbose_name=_("catalogue version"), on_delete=models.PROTECT, related_name="items"
    )
    by_commitment = models.BooleanField(
        _("notification and commitment (告知承诺制)"),
        default=False,
        help_text=_(
            "The applicant may sign a commitment letter instead of supplying the materials marked as "
            "replaced by it; the department checks afterwards."
        ),
    )
    to_confirm = models.CharField(
        _("default to be confirmed by the county"),
        max_length=255,
        blank=True,
        help_text=_("Which facts of this entry are a default the county still has to confirm, if any."),
    )

    class Meta:
        verbose_name = _("approval item")
        verbose_name_plural = _("approval items")
        ordering = ["jurisdiction", "position", "id"]
        indexes = [models.Index(fields=["jurisdiction", "code"], name="approval_item_code_idx")]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="approval_item_code_unique"),
            models.CheckConstraint(
                condition=Q(time_limit_days__lte=F("legal_time_limit_days"))
                | Q(legal_time_limit_unit="calendar_days"),
                name="approval_item_commitment_within_legal_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return not self.fees.all()


class ItemPrerequisite(models.Model):
    AUDIT_JURISDICTION = "item.jurisdiction"  # where `common.audit` finds its jurisdiction
    item = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, related_name="prerequisite_links")
    prerequisite = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, related_name="dependant_links")

    class Meta:
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")
        constraints = [
            models.UniqueConstraint(fields=["item", "prerequisite"], name="item_prerequisite_unique"),
            models.CheckConstraint(condition=~Q(item=F("prerequisite")), name="item_prerequisite_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.prerequisite} → {self.item}"


class Material(models.Model):
    """A required application material. Non-key materials may be missing at acceptance (容缺受理)."""

    AUDIT_JURISDICTION = "item.jurisdiction"  # where `common.audit` finds its jurisdiction

    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("approval item"), on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField(_("name"), max_length=255)
    is_key = models.BooleanField(
        _("key material"), default=True, help_text=_("A key material can never be accepted as deficient.")
    )
    copies = models.CharField(_("form and copies"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (working days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text=_("How long obtaining this material usually takes, where the sources say."),
    )
    sample_url = models.URLField(
        _("sample form"), blank=True, help_text=_("Link to the official sample or blank form (样表).")
    )
    replaced_by_commitment = models.BooleanField(
        _("replaced by the commitment letter"),
        default=False,
        help_text=_("Under 告知承诺制 the signed commitment letter stands in for this material."),
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def deficiency_tolerable(self) -> bool:
        return not self.is_key


class ProjectTemplate(models.Model):
    """A project type (小型低风险, 一般社会投资, 工业项目带方案出让) and the items it usually needs: the
    application form preselects them, the applicant still adds or removes items. One row per catalogue
    version, like the items it names (ADR 0015)."""

    version = models.ForeignKey(
        CatalogueVersion,
        verbose_name=_("catalogue version"),
        on_delete=models.PROTECT,
        related_name="templates",
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"))
    items = models.ManyToManyField(ApprovalItem, verbose_name=_("approval items"), related_name="templates")
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("project type")
        verbose_name_plural = _("project types")
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="project_template_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """A fee the law requires the applicant to pay. Everything else in the service is free."""

    AUDIT_JURISDICTION = "item.jurisdiction"  # where `common.audit` finds its jurisdiction

    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("approval item"), on_delete=models.CASCADE, related_name="fees"
    )
    name = models.CharField(_("name"), max_length=128)
    standard = models.CharField(_("standard"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255)

    class Meta:
        verbose_name = _("statutory fee")
        verbose_name_plural = _("statutory fees")

    def __str__(self) -> str:
        return self.name


class PolicyDocument(models.Model):
    """A policy the agents explain (政策指导): tax and fee relief, local measures, reform documents.

    Published by administrators; linked from the items it concerns so the guide shows it."""

    class Category(models.TextChoices):
        TAX_FEE = "tax_fee", _("Tax and fee relief")
        LOCAL = "local", _("Local policy")
        REFORM = "reform", _("Approval reform")
        OTHER = "other", _("Other")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="policies"
    )
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issued by"), max_length=100)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("full text"), blank=True)
    approval_items = models.ManyToManyField(
        ApprovalItem, verbose_name=_("approval items concerned"), blank=True, related_name="policies"
    )
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["jurisdiction", "is_published"], name="policy_published_idx")]

    def __str__(self) -> str:
        return self.title


class FaqEntry(models.Model):
    """A question answered often enough to publish (常见问题), usually promoted from a consultation."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="faq_entries"
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    approval_items = models.ManyToManyField(
        ApprovalItem, verbose_name=_("approval items concerned"), blank=True, related_name="faq_entries"
    )
    is_published = models.BooleanField(_("published"), default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.question[:60]
