from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.common.stages import Stage
from daiban.common.validators import validate_mobile

division_code_validator = RegexValidator(
    r"^\d{6}$", _("An administrative division code has 6 digits."), code="division_code"
)


class Jurisdiction(models.Model):
    """A county or district running the service; the city sits above them for city-wide oversight."""

    AUDIT_JURISDICTION = ""  # where `common.audit` finds its jurisdiction

    class Level(models.TextChoices):
        CITY = "city", _("City")
        COUNTY = "county", _("County or district")

    code = models.CharField(
        _("division code"), max_length=6, unique=True, validators=[division_code_validator]
    )
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.COUNTY)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    callbacks_throughout = models.BooleanField(
        _("call-backs throughout the service (全过程回访)"),
        default=False,
        help_text=_(
            "Hall managers call applicants back at any stage after acceptance, not only after completion."
        ),
    )

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """Any organisation that takes part in the service inside one jurisdiction.

    One table for departments, townships, parks, service centres and offices, because roles, routing and
    ledgers all address "a responsible unit" whatever its kind (see docs/adr/0002).
    """

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Approval department")
        TOWNSHIP = "township", _("Township or street")
        PARK = "park", _("Park committee")
        SERVICE_CENTRE = "service_centre", _("Government service centre")
        REFORM_OFFICE = "reform_office", _("Reform office")
        GOVERNMENT_AFFAIRS_OFFICE = "gov_affairs_office", _("Government affairs office")

    class TownshipKind(models.TextChoices):
        TOWN = "town", _("Town")
        TOWNSHIP = "township", _("Township")
        STREET = "street", _("Street")

    class ParkKind(models.TextChoices):
        INDUSTRIAL = "industrial", _("Industrial park")
        AGRICULTURAL = "agricultural", _("Agricultural park")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="units"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=64, help_text=_("Short code, unique in the jurisdiction."))
    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("hosted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_units",
        help_text=_(
            "For an office hosted inside another unit, e.g. the reform office in the housing commission."
        ),
    )
    township_kind = models.CharField(
        _("township kind"), max_length=16, choices=TownshipKind.choices, blank=True
    )
    park_kind = models.CharField(_("park kind"), max_length=16, choices=ParkKind.choices, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["jurisdiction", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="unit_code_unique_in_jurisdiction"),
            models.CheckConstraint(
                condition=Q(kind="township") | Q(township_kind=""),
                name="unit_township_kind_only_for_townships",
            ),
            models.CheckConstraint(
                condition=Q(kind="park") | Q(park_kind=""), name="unit_park_kind_only_for_parks"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_location(self) -> bool:
        """Projects are located in a township or a park; those are the units that can be a project's site."""
        return self.kind in (self.Kind.TOWNSHIP, self.Kind.PARK)


class Section(models.Model):
    """A department's internal office (职能科室) that actually decides an approval item."""

    AUDIT_JURISDICTION = "department.jurisdiction"  # where `common.audit` finds its jurisdiction

    department = models.ForeignKey(
        Unit,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="sections",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["department", "id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="section_code_unique_in_department")
        ]

    def __str__(self) -> str:
        return f"{self.department.short_name or self.department.name}·{self.name}"


class Window(models.Model):
    """A counter at a service centre; the 帮代办 zone's windows take walk-in applications."""

    AUDIT_JURISDICTION = "service_centre.jurisdiction"  # where `common.audit` finds its jurisdiction

    service_centre = models.ForeignKey(
        Unit,
        verbose_name=_("service centre"),
        on_delete=models.PROTECT,
        related_name="windows",
        limit_choices_to={"kind": Unit.Kind.SERVICE_CENTRE},
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    location = models.CharField(_("location"), max_length=128, blank=True)
    is_service_zone = models.BooleanField(_("in the assist-and-proxy zone"), default=True)

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        ordering = ["service_centre", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service_centre", "code"], name="window_code_unique_in_centre")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceZone(models.Model):
    """Where applicants find the service in person (帮代办专区): its address, opening hours and phone, shown
    on the jurisdiction's public pages. Data, loaded with the organisations or an onboarding file and
    adjusted in the admin."""

    AUDIT_JURISDICTION = "jurisdiction"  # where `common.audit` finds its jurisdiction

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="service_zones"
    )
    service_centre = models.ForeignKey(
        Unit,
        verbose_name=_("service centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_zones",
        limit_choices_to={"kind": Unit.Kind.SERVICE_CENTRE},
    )
    name = models.CharField(_("name"), max_length=128)
    address = models.CharField(_("address"), max_length=255)
    hours = models.CharField(_("opening hours"), max_length=255)
    phone = models.CharField(_("phone"), max_length=32)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("service zone")
        verbose_name_plural = _("service zones")
        ordering = ["jurisdiction", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="service_zone_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: staff of any unit, or an applicant's representative."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True, validators=[validate_mobile])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    AUDIT_JURISDICTION = "home_jurisdiction_code"  # where `common.audit` finds its jurisdiction

    @property
    def home_jurisdiction_code(self) -> str:
        """The jurisdiction whose administrators see this person's security events (sign-ins, refusals):
        that of the person's oldest active role, else of the enterprise they represent; "" for neither (the
        platform operator's)."""
        role = self.role_assignments.filter(revoked_at__isnull=True).order_by("id").first()
        if role is not None:
            return role.jurisdiction.code
        # The enterprise side lives in `projects`, above this app: read through the reverse accessor.
        represents = getattr(self, "represents", None)
        first = represents.select_related("applicant__jurisdiction").first() if represents else None
        return str(first.applicant.jurisdiction.code) if first is not None else ""


class Role(models.TextChoices):
    CLERK = "clerk", _("Window clerk")
    COORDINATOR = "coordinator", _("Coordinator")
    AGENT = "agent", _("Agent")
    SECTION_REVIEWER = "section_reviewer", _("Section reviewer")
    HALL_MANAGER = "hall_manager", _("Hall manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


class RoleAssignment(models.Model):
    """A person holds a role in a jurisdiction, usually on behalf of one unit. Revoked rows are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["jurisdiction", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction", "unit", "section"],
                condition=Q(revoked_at__isnull=True),
                name="role_assignment_unique_while_active",
            )
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="role_user_active_idx")]

    def __str__(self) -> str:
        where = self.section or self.unit or self.jurisdiction
        return f"{self.user} · {self.get_role_display()} · {where}"


class WorkingGroup(models.Model):
    """A jurisdiction's 帮代办工作组 (Dazu): it coordinates and supervises the service under an office."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="working_groups"
    )
    name = models.CharField(_("name"), max_length=128)
    office = models.ForeignKey(
        Unit,
        verbose_name=_("office it reports to"),
        on_delete=models.PROTECT,
        related_name="working_groups",
        help_text=_("Member changes are filed with this office."),
    )
    duties = models.TextField(_("duties"), blank=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name


class WorkingGroupMember(models.Model):
    """A seat in the working group held by one person for a period; a change ends one and starts another."""

    AUDIT_JURISDICTION = "group.jurisdiction"  # where `common.audit` finds its jurisdiction

    class Position(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy leader")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(
        WorkingGroup, verbose_name=_("working group"), on_delete=models.PROTECT, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("position"), max_length=16, choices=Position.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    responsibility = models.CharField(
        _("responsibility"),
        max_length=128,
        blank=True,
        help_text=_("e.g. project filing, transport projects"),
    )
    stage = models.CharField(_("approval stage"), max_length=32, choices=Stage.choices, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")
        ordering = ["group", "position", "id"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_position_display()})"


class WorkingGroupChange(models.Model):
    """A member change filed (备案) with the group's office: who joined, who left, and why."""

    AUDIT_JURISDICTION = "group.jurisdiction"  # where `common.audit` finds its jurisdiction

    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined")
        LEFT = "left", _("Left")
        REPLACED = "replaced", _("Replaced")

    group = models.ForeignKey(
        WorkingGroup, verbose_name=_("working group"), on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField(_("change"), max_length=16, choices=Kind.choices)
    member_in = models.ForeignKey(
        WorkingGroupMember,
        verbose_name=_("member joining"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member_out = models.ForeignKey(
        WorkingGroupMember,
        verbose_name=_("member leaving"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=255)
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("working group change")
        verbose_name_plural = _("working group changes")
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.filed_on} {self.get_kind_display()}"
