from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.common.audit import AuditVerb
from daiban.common.models import HistoryNote
from daiban.organizations.models import Jurisdiction


class Level(models.IntegerChoices):
    """The national 好差评 scale, best first."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# 不满意 or worse is a bad rating: it opens a rectification.
BAD_AT_OR_BELOW = Level.DISSATISFIED


class Evaluation(models.Model):
    """事后评价: the applicant rates one agent's service on one request (on the evaluation page, signed in)
    or on one item (一事一评: through the link texted after the item's delivery, no sign-in, so nobody is
    `given_by`). Written once, never edited.

    A bad rating's comment is kept from the agent until a supervisor releases it, so applicants can be
    honest about the person who still handles their other items."""

    class Channel(models.TextChoices):
        PAGE = "page", _("Evaluation page")
        SMS_LINK = "sms_link", _("SMS link")

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="evaluations"
    )
    item = models.ForeignKey(
        CaseItem,
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PAGE)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    attitude = models.PositiveSmallIntegerField(_("attitude"), choices=Level.choices)
    efficiency = models.PositiveSmallIntegerField(_("efficiency"), choices=Level.choices)
    integrity = models.PositiveSmallIntegerField(_("integrity"), choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    is_bad = models.BooleanField(_("bad rating"), default=False)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released to the agent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released to the agent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "agent"],
                condition=Q(channel="page"),
                name="evaluation_once_per_agent",
            ),
            models.UniqueConstraint(
                fields=["item"], condition=Q(channel="sms_link"), name="evaluation_once_per_item_link"
            ),
            models.CheckConstraint(
                condition=Q(channel="page", given_by__isnull=False, item__isnull=True)
                | Q(channel="sms_link", given_by__isnull=True, item__isnull=False),
                name="evaluation_channel_shape",
            ),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "given_at"], name="evaluation_period_idx"),
            models.Index(fields=["agent", "given_at"], name="evaluation_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.agent_id}"

    @property
    def levels(self) -> tuple[int, int, int]:
        return (self.attitude, self.efficiency, self.integrity)

    @property
    def hidden_from_agent(self) -> bool:
        return self.is_bad and self.released_at is None


class Callback(models.Model):
    """回访: the hall manager calls (or visits) the applicant after the service and writes down the
    answers."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="callbacks"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(
        _("call-back method"), max_length=8, choices=Method.choices, default=Method.PHONE
    )
    called_on = models.DateField(_("date of the call"))
    reached = models.BooleanField(_("reached the applicant"))
    contact_person = models.CharField(_("person spoken to"), max_length=64, blank=True)
    overall = models.PositiveSmallIntegerField(
        _("overall satisfaction"), choices=Level.choices, null=True, blank=True
    )
    asked_for_money = models.BooleanField(
        _("was asked for fees or favours beyond the statutory fees"), null=True, blank=True
    )
    remarks = models.TextField(_("answers and remarks"), blank=True)
    complaint = models.TextField(_("complaint"), blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("called by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["-called_on", "-id"]
        indexes = [models.Index(fields=["request", "reached"], name="callback_request_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reached=True) | Q(overall__isnull=True), name="callback_overall_only_if_reached"
            )
        ]

    def __str__(self) -> str:
        return f"{self.called_on} {self.request_id}"


class CallbackRating(models.Model):
    """The hall manager's own rating of an agent after a call-back
    (大厅管理机构对代办专员服务质量进行评价)."""

    AUDIT_JURISDICTION = "callback.jurisdiction"  # where `common.audit` finds its jurisdiction

    callback = models.ForeignKey(
        Callback, verbose_name=_("call-back"), on_delete=models.CASCADE, related_name="ratings"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)

    class Meta:
        verbose_name = _("agent rating")
        verbose_name_plural = _("agent ratings")
        constraints = [models.UniqueConstraint(fields=["callback", "agent"], name="callback_rating_once")]

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.level}"


class Rectification(models.Model):
    """整改: opened by a bad rating or a complaint; its owner reports what was done, a supervisor verifies
    and closes it (销号) or sends it back."""

    class Source(models.TextChoices):
        EVALUATION = "evaluation", _("Bad evaluation")
        CALLBACK = "callback", _("Call-back")
        COMPLAINT = "complaint", _("Complaint")

    class Status(models.TextChoices):
        OPEN = "open", _("Being rectified")
        REPORTED = "reported", _("Reported, awaiting verification")
        CLOSED = "closed", _("Verified and closed")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="rectifications"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    evaluation = models.OneToOneField(
        Evaluation,
        verbose_name=_("evaluation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    callback = models.ForeignKey(
        Callback,
        verbose_name=_("call-back"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    problem = models.TextField(_("problem"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    opened_on = models.DateField(_("opened on"))
    due_on = models.DateField(
        _("due on"), null=True, blank=True, help_text=_("Empty while next year's holidays are not entered.")
    )
    report = models.TextField(_("what was done"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,  # a rating through an SMS link has no signed-in author
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "due_on"], name="rectification_due_idx"),
            models.Index(fields=["owner", "status"], name="rectification_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.request_id}"


RECTIFICATION_NOTE_VERBS: dict[str, Any] = {
    AuditVerb.RECTIFICATION_REPORTED: _("reported what was done"),
    AuditVerb.RECTIFICATION_SENT_BACK: _("sent back"),
    AuditVerb.RECTIFICATION_CLOSED: _("verified and closed"),
    AuditVerb.RECTIFICATION_REASSIGNED: _("owner changed"),
}


class RectificationNote(HistoryNote):
    """The rectification's history: reports, returns, verification, owner changes."""

    AUDIT_JURISDICTION = "rectification.jurisdiction"  # where `common.audit` finds its jurisdiction

    VERBS = RECTIFICATION_NOTE_VERBS
    STATES = dict(Rectification.Status.choices)

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("rectification"), on_delete=models.CASCADE, related_name="notes"
    )

    class Meta:
        verbose_name = _("rectification note")
        verbose_name_plural = _("rectification notes")
        ordering = ["rectification", "at", "id"]
