from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.catalogue.models import ApprovalItem, Material, ResultDocument
from daiban.common.audit import AuditVerb
from daiban.common.models import HistoryNote
from daiban.organizations.models import Jurisdiction, Section, Unit, Window
from daiban.projects.models import Applicant, Project


class RoutingPolicyName(models.TextChoices):
    """The named routing strategies (`routing.STRATEGIES` implements each; ADR 0022)."""

    PARK_COMMITTEE_OR_DEPARTMENT = (
        "park_committee_or_department",
        _("Park committee for park projects, otherwise the item's department (酉阳)"),
    )
    WORKING_GROUP_MEMBER = (
        "working_group_member",
        _("The working group's member unit for the item's department and stage (大足)"),
    )


class LocalityRole(models.TextChoices):
    """What the project's township or park does for a request besides seeing it."""

    CO_RESPONSIBLE = "co_responsible", _("Co-responsible: also arranges agents")
    CONTACT = "contact", _("Local contact only")


class RoutingPolicy(models.Model):
    """How a jurisdiction routes a request's items to responsible units: a named strategy and its
    parameters, chosen in the admin or loaded from data (ADR 0022). Requests store the result."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="routing_policy"
    )
    policy = models.CharField(_("policy"), max_length=64, choices=RoutingPolicyName.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    AUDIT_JURISDICTION = "jurisdiction"

    class Meta:
        verbose_name = _("routing policy")
        verbose_name_plural = _("routing policies")
        ordering = ["jurisdiction"]

    def __str__(self) -> str:
        return f"{self.jurisdiction} · {self.get_policy_display()}"


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
        COMPLETED = "completed", _("Completed")
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
    locality_role = models.CharField(
        _("role of the locality"),
        max_length=16,
        choices=LocalityRole.choices,
        default=LocalityRole.CO_RESPONSIBLE,
        help_text=_("Set by the routing policy when the request is submitted (ADR 0022)."),
    )
    routing_policy = models.CharField(
        _("routing policy"),
        max_length=64,
        choices=RoutingPolicyName.choices,
        default=RoutingPolicyName.PARK_COMMITTEE_OR_DEPARTMENT,
        help_text=_("The policy that chose the responsible units when the request was submitted."),
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
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(
        _("number"), help_text=_("Counts from 1 in each jurisdiction and year.")
    )

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction", "state"], name="request_state_idx"),
            models.Index(fields=["locality", "state"], name="request_locality_idx"),
            models.Index(fields=["submitted_at"], name="request_submitted_idx"),  # dashboards' period
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
            models.UniqueConstraint(fields=["jurisdiction", "year", "number"], name="request_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.project.name}"

    @property
    def reference(self) -> str:
        """The number people quote on the phone: jurisdiction, year, and the count within both."""
        return f"BDB{self.jurisdiction.code}-{self.year}-{self.number:06d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RequestCounter(models.Model):
    """The last request number given in a jurisdiction and year. Submissions lock this row to take the next
    number, so two submissions at once get consecutive numbers and never the same one."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("request counter")
        verbose_name_plural = _("request counters")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="request_counter_unique")
        ]

    AUDIT_JURISDICTION = "jurisdiction"

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year}: {self.last}"


# Named state sets: each rule about "which states" is written here once.
OPEN_STATES = frozenset(
    {ServiceRequest.State.SUBMITTED, ServiceRequest.State.ACCEPTED, ServiceRequest.State.DISPATCHED}
)
"""Not yet finished, declined or withdrawn: an item of it cannot be asked for again."""

HANDLING_STATES = frozenset({ServiceRequest.State.ACCEPTED, ServiceRequest.State.DISPATCHED})
"""Accepted and not finished: agents work its items, visit and chase."""


class CaseItem(models.Model):
    """One approval item handled for one request; it has its own responsible unit and agent.

    What the item was promised is frozen when it is created, from the catalogue version in force then
    (ADR 0015): the committed and legal limits, the responsible unit and section, the result (and, through
    its checklist, the materials). Deadlines, reminders, ledgers and rankings read these columns, never
    the catalogue, so a new catalogue version changes only requests made after it."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        COLLECTING = "collecting", _("Collecting materials")
        READY = "ready", _("Ready to file")
        FILED = "filed", _("Filed")
        UNDER_REVIEW = "under_review", _("Under review")
        CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        PICKED_UP = "picked_up", _("Result picked up")
        DELIVERED = "delivered", _("Delivered")

    class Acceptance(models.TextChoices):
        PENDING = "pending", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

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
        help_text=_("Chosen by the jurisdiction's routing policy when the request was submitted."),
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("deciding section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("committed time limit (working days)"),
        help_text=_("Frozen from the catalogue version in force when the item was requested."),
    )
    legal_time_limit_days = models.PositiveSmallIntegerField(_("legal time limit"))
    legal_time_limit_unit = models.CharField(
        _("unit of the legal time limit"), max_length=16, choices=ApprovalItem.LimitUnit.choices
    )
    result_document = models.ForeignKey(
        ResultDocument, verbose_name=_("result document"), on_delete=models.PROTECT, related_name="+"
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
    acceptance = models.CharField(
        _("acceptance"),
        max_length=16,
        choices=Acceptance.choices,
        default=Acceptance.PENDING,
        help_text=_("Decided by a coordinator of the item's responsible unit."),
    )
    acceptance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted or declined by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acceptance_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        help_text=_("Raised by every change, so two people saving at once cannot overwrite."),
    )
    external_ref = models.CharField(_("approval system receipt number"), max_length=40, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    result_number = models.CharField(
        _("certificate or result number"),
        max_length=60,
        blank=True,
        help_text=_("The number on the approval's certificate or written decision, recorded at approval."),
    )
    picked_up_on = models.DateField(_("picked up on"), null=True, blank=True)
    due_on = models.DateField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Derived from the filing date, the committed limit and the closed clock stops; "
            "empty before filing and while a stop is open. "
            "Written by the step that changes those inputs and checked by the daily sweep."
        ),
    )

    class Meta:
        verbose_name = _("case item")
        verbose_name_plural = _("case items")
        ordering = ["request", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "approval_item"], name="case_item_unique")]
        indexes = [
            models.Index(fields=["agent", "state"], name="case_item_agent_idx"),
            models.Index(fields=["responsible_unit", "state"], name="case_item_unit_idx"),
            models.Index(fields=["state", "due_on"], name="case_item_due_idx"),
        ]

    AUDIT_JURISDICTION = "request.jurisdiction"

    def __str__(self) -> str:
        return self.approval_item.name


CLOCK_STATES = frozenset(
    {
        CaseItem.State.FILED,
        CaseItem.State.UNDER_REVIEW,
        CaseItem.State.CORRECTION_REQUESTED,
        CaseItem.State.RESUBMITTED,
    }
)
"""While the department's clock runs: filed and not yet decided."""

DONE_STATES = frozenset({CaseItem.State.DELIVERED, CaseItem.State.REFUSED})
# Decided by the department: a request can no longer be withdrawn once one of its items is.
DECIDED_STATES = frozenset(
    {CaseItem.State.APPROVED, CaseItem.State.PICKED_UP, CaseItem.State.DELIVERED, CaseItem.State.REFUSED}
)
"""Nothing more happens to the item: the result was delivered, or it was refused."""

CHASE_STATES = CLOCK_STATES | {CaseItem.State.APPROVED}
"""Filed and not yet picked up: the agent chases the department."""

CHECKLIST_OPEN_STATES = frozenset(
    {CaseItem.State.PLANNED, CaseItem.State.COLLECTING, CaseItem.State.CORRECTION_REQUESTED}
)
"""The agent keeps the materials checklist before filing, and again while a correction is open."""


class ItemMaterial(models.Model):
    """One line of an item's materials checklist, worked through by the agent on site (上门受理)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet collected")
        RECEIVED = "received", _("Received")
        MISSING = "missing", _("Missing")
        TO_CORRECT = "to_correct", _("To be corrected")
        PROMISED = "promised", _("Missing, promised by a date (容缺)")

    case_item = models.ForeignKey(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="checklist"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    promised_on = models.DateField(_("promised by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("checklist line")
        verbose_name_plural = _("checklist lines")
        ordering = ["case_item", "material__position", "id"]
        constraints = [models.UniqueConstraint(fields=["case_item", "material"], name="item_material_unique")]

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.material} · {self.get_status_display()}"


class ClockStop(models.Model):
    """Days on which an item's clock does not run: a correction round or a special procedure."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction (补正)")
        PUBLICITY = "publicity", _("Public notice (公示)")
        EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")
        HEARING = "hearing", _("Hearing (听证)")

    case_item = models.ForeignKey(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="stops"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("clock stop")
        verbose_name_plural = _("clock stops")
        ordering = ["case_item", "start_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="clock_stop_ends_after_start",
            ),
            # One stop at a time: a correction or a special procedure, never two overlapping open ones.
            models.UniqueConstraint(
                fields=["case_item"], condition=Q(end_on__isnull=True), name="clock_stop_one_open_per_item"
            ),
        ]

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_on}–{self.end_on or ''}"


class Delivery(models.Model):
    """统一送达: how the result reached the applicant."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        POST = "post", _("By post")
        E_CERTIFICATE = "e_certificate", _("E-certificate download")

    case_item = models.OneToOneField(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="delivery"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    delivered_on = models.DateField(_("delivered on"))
    receiver = models.CharField(_("receiver"), max_length=64, blank=True)
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.case_item} {self.get_method_display()} {self.delivered_on}"


class RefusalNotice(models.Model):
    """The refusal decision (不予许可决定书) handed to the enterprise: a fact recorded on a refused item.

    Why a record beside the item and not a state: REFUSED stays terminal (the request still completes when
    its last item is decided), so the graph, the completion rule and every report reading DONE_STATES are
    unchanged; what was missing is only that nobody handed the decision over. One row per item (the
    database refuses a second); written by `services.deliver_refusal_notice` under the item's lock
    (docs/adr/0029)."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("Handed over in person")
        POST = "post", _("By post")
        ELECTRONIC = "electronic", _("Electronic service")

    case_item = models.OneToOneField(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="refusal_notice"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    delivered_on = models.DateField(_("delivered on"))
    recipient = models.CharField(_("recipient"), max_length=64)
    receipt = models.ForeignKey(
        "RequestDocument",
        verbose_name=_("receipt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refusal decision delivery")
        verbose_name_plural = _("refusal decision deliveries")

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.case_item} {self.get_method_display()} {self.delivered_on}"


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

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.case_item} → {self.agent}"


class Visit(models.Model):
    """上门受理: an agent's visit to the applicant to collect and check materials and fill forms."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="visits"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visited on"))
    place = models.CharField(_("place"), max_length=255)
    people_met = models.CharField(_("people met"), max_length=255)
    note = models.TextField(_("what was done"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["request", "-visited_on", "-id"]

    AUDIT_JURISDICTION = "request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place}"


class ChaseRecord(models.Model):
    """跟踪催办: the agent chased a department; shared records are the applicant's progress reports."""

    class How(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        SYSTEM = "system", _("Approval system")
        MEETING = "meeting", _("Coordination meeting")

    case_item = models.ForeignKey(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="chases"
    )
    chased_on = models.DateField(_("date"))
    department = models.ForeignKey(
        Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    how = models.CharField(_("how"), max_length=16, choices=How.choices)
    answer = models.TextField(_("answer"))
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    shared_with_applicant = models.BooleanField(
        _("shown to the applicant as a progress report"), default=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chase record")
        verbose_name_plural = _("chase records")
        ordering = ["case_item", "-chased_on", "-id"]

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.chased_on} {self.department}"


class RequestDocument(models.Model):
    """A material the applicant (or the clerk) handed over, checked by content and stored under a new name."""

    AUDIT_JURISDICTION = "request.jurisdiction"  # where `common.audit` finds its jurisdiction

    class Kind(models.TextChoices):
        MATERIAL = "material", _("Application material")
        FILLED_FORM = "filled_form", _("Form filled on the applicant's behalf")
        PHOTO = "photo", _("Site photo")
        SIGNATURE = "signature", _("Signed receipt photo")
        REFUSAL_RECEIPT = "refusal_receipt", _("Receipt of the refusal decision")

    # What came from the applicant's side, as opposed to the proof of our delivery to it (a signature photo,
    # a refusal's receipt), which belongs with the delivery, not among the materials handed over.
    HANDED_OVER_KINDS = frozenset({Kind.MATERIAL, Kind.FILLED_FORM, Kind.PHOTO})
    DELIVERY_PROOF_KINDS = frozenset({Kind.SIGNATURE, Kind.REFUSAL_RECEIPT})

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
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MATERIAL)
    case_item = models.ForeignKey(
        CaseItem,
        verbose_name=_("case item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
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

    AUDIT_JURISDICTION = "request.jurisdiction"

    def __str__(self) -> str:
        return self.original_name


class TimelineEntry(HistoryNote):
    """Every transition and assignment of a request and its items, in order: the request's timeline."""

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

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["request", "at", "id"]

    AUDIT_JURISDICTION = "request.jurisdiction"
    SHOW_STATE = True

    @property
    def verb_label(self) -> str:
        return str(TIMELINE_VERBS.get(self.verb, self.verb))

    @property
    def to_state_label(self) -> str:
        states = (
            dict(CaseItem.State.choices) | dict(CaseItem.Acceptance.choices)  # the item's two graphs
            if self.case_item_id
            else dict(ServiceRequest.State.choices)
        )
        return str(states.get(self.to_state, self.to_state))


TIMELINE_VERBS = {
    AuditVerb.REQUEST_SUBMITTED: _("submitted"),
    AuditVerb.REQUEST_ACCEPTED: _("accepted"),
    AuditVerb.REQUEST_DECLINED: _("declined"),
    AuditVerb.REQUEST_WITHDRAWN: _("withdrawn"),
    AuditVerb.REQUEST_DISPATCHED: _("all items have agents"),
    AuditVerb.REQUEST_COMPLETED: _("service completed: every item delivered or decided"),
    AuditVerb.ITEM_ACCEPTED: _("item accepted"),
    AuditVerb.ITEM_DECLINED: _("item declined"),
    AuditVerb.ITEM_ASSIGNED: _("agent assigned"),
    AuditVerb.ITEM_REASSIGNED: _("agent changed"),
    AuditVerb.ITEM_COLLECTION_STARTED: _("collecting materials"),
    AuditVerb.ITEM_MATERIALS_COMPLETED: _("materials complete"),
    AuditVerb.ITEM_FILED: _("filed into the approval system"),
    AuditVerb.ITEM_REVIEW_STARTED: _("review started"),
    AuditVerb.ITEM_CORRECTION_REQUESTED: _("correction requested"),
    AuditVerb.ITEM_RESUBMITTED: _("corrected materials resubmitted"),
    AuditVerb.ITEM_APPROVED: _("approved"),
    AuditVerb.ITEM_REFUSED: _("refused"),
    AuditVerb.ITEM_REFUSAL_NOTICE_DELIVERED: _("refusal decision delivered"),
    AuditVerb.ITEM_PICKED_UP: _("result picked up"),
    AuditVerb.ITEM_DELIVERED: _("result delivered"),
    AuditVerb.ITEM_CLOCK_STOPPED: _("clock stopped"),
    AuditVerb.ITEM_CLOCK_RESUMED: _("clock resumed"),
    "request.visited": _("on-site visit"),
    AuditVerb.ITEM_CHASED: _("chased the department"),
}
