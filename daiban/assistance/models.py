from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.cases.models import ServiceRequest
from daiban.catalogue.models import ApprovalItem, FaqEntry
from daiban.organizations.models import Jurisdiction, Unit
from daiban.projects.models import Applicant


class Consultation(models.Model):
    """政策指导: a question about procedure, materials, taxes or fees, asked online by an applicant or
    taken by phone or at the window by staff, and answered by an agent."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PHONE = "phone", _("Phone")
        WINDOW = "window", _("At the window")

    class Topic(models.TextChoices):
        PROCESS = "process", _("Approval process")
        MATERIALS = "materials", _("Materials and forms")
        TAX_FEE = "tax_fee", _("Taxes and fees")
        POLICY = "policy", _("Other policies")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    asker_name = models.CharField(_("asked by"), max_length=64)
    asker_mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    approval_items = models.ManyToManyField(
        ApprovalItem, verbose_name=_("approval items concerned"), blank=True, related_name="+"
    )
    question = models.TextField(_("question"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    faq_entry = models.ForeignKey(
        FaqEntry,
        verbose_name=_("published as FAQ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["jurisdiction", "answered_at"], name="consultation_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""), name="consultation_answer_has_text"
            )
        ]

    def __str__(self) -> str:
        return self.question[:60]

    @property
    def hours_to_answer(self) -> float | None:
        if self.answered_at is None:
            return None
        return round((self.answered_at - self.asked_at).total_seconds() / 3600, 1)


class CoordinationMeeting(models.Model):
    """协调办理: a meeting an agent convened with departments to unblock a request's items."""

    AUDIT_JURISDICTION = "request.jurisdiction"  # where `common.audit` finds its jurisdiction

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    departments = models.ManyToManyField(Unit, verbose_name=_("units attending"), related_name="+")
    participants = models.TextField(_("participants"))
    topics = models.TextField(_("topics"))
    decisions = models.TextField(_("decisions"))
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("convened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["request", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class FollowUp(models.Model):
    """A task a meeting decided, with the unit that owns it and its due date."""

    AUDIT_JURISDICTION = "meeting.request.jurisdiction"  # where `common.audit` finds its jurisdiction

    meeting = models.ForeignKey(
        CoordinationMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    task = models.CharField(_("task"), max_length=255)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("result"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["meeting", "due_on", "id"]

    def __str__(self) -> str:
        return self.task
