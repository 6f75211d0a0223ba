import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person, written in the same transaction as the event that causes it.

    It is the in-app notification and the outbox at once: delivery over e-mail or SMS (a later issue) reads
    undelivered rows from here, so nothing is lost when a gateway is down.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,  # a text to a mobile that names no account (an applicant's contact mobile): outbox only
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    verb = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=255, blank=True)
    jurisdiction_code = models.CharField(_("jurisdiction code"), max_length=6, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title


class OutboundMessage(models.Model):
    """One notification to deliver over one channel (e-mail, SMS). Written with the notification; a job sends
    it, retrying with back-off, so nothing is lost while a gateway is down.

    A worker claims a row before sending (ADR 0007): `claim_token` names the claim and `next_attempt_at`
    doubles as the claim's lease, so a row whose worker died becomes due again when the lease runs out.
    `delivery_key` goes to the gateway as the idempotency key, the same on every attempt, so a gateway that
    honours it sends a retried message once.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="outbound"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivery_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="outbound_once_per_channel")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address} ({self.status})"


class OnceKey(models.Model):
    """Remembers that a reminder or escalation was sent, so a job that runs twice sends nothing twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self) -> str:
        return self.key
