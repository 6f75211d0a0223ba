from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.catalogue.models import ApprovalItem, Material
from daiban.organizations.models import Jurisdiction, Unit, Window
from daiban.projects.models import Applicant, Project


class ServiceRequest(models.Model):
    """One applicant's request for 帮办 or 代办 with one project, over a chosen set of approval items."""

    class Mode(models.TextChoices):
        ASSIST = "assist", _("Assist (帮办)")
        PROXY = "proxy", _("Proxy (代办)")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        WINDOW = "window", _("At the window")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted, assigning agents")
        DISPATCHED = "dispatched", _("Agents assigned")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="requests"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="requests"
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="requests"
    )
    locality = models.ForeignKey(
        Unit,
        verbose_name=_("locality (township or park)"),
        on_delete=models.PROTECT,
        related_name="local_requests",
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    window = models.ForeignKey(
        Window,
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SUBMITTED)
    note = models.TextField(_("note from the applicant"), blank=True)
    consent_at = models.DateTimeField(_("proxy consent given at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted or declined by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction", "state"], name="request_state_idx"),
            models.Index(fields=["locality", "state"], name="request_locality_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="online", window__isnull=True)
                | Q(channel="window", window__isnull=False),
                name="request_window_only_for_window_channel",
            ),
            models.CheckConstraint(
                condition=~Q(mode="proxy") | Q(consent_at__isnull=False), name="request_proxy_needs_consent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.project.name}"

    @property
    def reference(self) -> str:
        """The number people quote on the phone: jurisdiction, year, sequence."""
        year = self.submitted_at.year if self.submitted_at else 0
        return f"BDB{self.jurisdiction.code}-{year}-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


OPEN_STATES = (
    ServiceRequest.State.SUBMITTED,
    ServiceRequest.State.ACCEPTED,
    ServiceRequest.State.DISPATCHED,
)


class CaseItem(models.Model):
    """One approval item handled for one request; it has its own responsible unit and agent."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="items"
    )
    approval_item = models.ForeignKey(
        ApprovalItem, verbose_name=_("approval item"), on_delete=models.PROTECT, related_name="case_items"
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="case_items",
        help_text=_("The park committee for park projects, otherwise the item's department."),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_items",
    )
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.PLANNED)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("case item")
        verbose_name_plural = _("case items")
        ordering = ["request", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "approval_item"], name="case_item_unique")]
        indexes = [
            models.Index(fields=["agent", "state"], name="case_item_agent_idx"),
            models.Index(fields=["responsible_unit", "state"], name="case_item_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.approval_item.name


class ItemAssignment(models.Model):
    """Who handled an item when: a reassignment ends one row and starts the next, with its reason."""

    case_item = models.ForeignKey(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="assignments"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["case_item", "assigned_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_item} → {self.agent}"


class RequestDocument(models.Model):
    """A material the applicant (or the clerk) handed over, checked by content and stored under a new name."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="documents"
    )
    material = models.ForeignKey(
        Material,
        verbose_name=_("material"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="requests/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request document")
        verbose_name_plural = _("request documents")
        ordering = ["request", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TimelineEntry(models.Model):
    """Every transition and assignment of a request, in order: the request's timeline."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="timeline"
    )
    case_item = models.ForeignKey(
        CaseItem,
        verbose_name=_("case item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("event"), max_length=64)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"

    @property
    def verb_label(self) -> str:
        return str(TIMELINE_VERBS.get(self.verb, self.verb))

    @property
    def to_state_label(self) -> str:
        states = dict(ServiceRequest.State.choices)
        return str(states.get(self.to_state, self.to_state))


TIMELINE_VERBS = {
    "request.submitted": _("submitted"),
    "request.accept": _("accepted"),
    "request.decline": _("declined"),
    "request.withdraw": _("withdrawn"),
    "request.dispatch": _("all items have agents"),
    "item.assigned": _("agent assigned"),
    "item.reassigned": _("agent changed"),
}
