"""Outbound webhooks: who subscribes to which events of a jurisdiction, and each delivery to them.

Events are not written by the services: they are derived from the committed audit trail (ADR 0021). A
cursor (`EventCursor`) walks the audit chain by position; each entry that is an event a subscription
wants becomes one `WebhookDelivery`, delivered through the outbox's claim / send / record steps (ADR 0007).
"""

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from daiban.organizations.models import Jurisdiction


class EventType(models.TextChoices):
    REQUEST_SUBMITTED = "request.submitted", _("Request submitted")
    REQUEST_ACCEPTED = "request.accepted", _("Request accepted")
    REQUEST_COMPLETED = "request.completed", _("Request completed")
    ITEM_STATE_CHANGED = "item.state_changed", _("Item state changed")
    ITEM_OVERDUE = "item.overdue", _("Item overdue")
    EVALUATION_RECEIVED = "evaluation.received", _("Evaluation received")
    RECTIFICATION_CLOSED = "rectification.closed", _("Rectification closed")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An outside system of one jurisdiction that receives the events it chose, as signed JSON (or, for the
    provincial 好差评 system, in that system's format)."""

    AUDIT_JURISDICTION = "jurisdiction"

    class Format(models.TextChoices):
        SIGNED_JSON = "signed_json", _("Signed JSON event")
        PROVINCIAL_RATING = "provincial_rating", _("Provincial 好差评 report")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.SIGNED_JSON)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    failing_in_a_row = models.PositiveIntegerField(_("failed attempts in a row"), default=0, editable=False)
    alerted_at = models.DateTimeField(
        _("administrators told of the failures at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["jurisdiction", "name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event to deliver to one subscription: the outbox row (ADR 0007 — claim, send, record; back-off;
    the same `delivery_key` on every attempt, sent as `X-Daiban-Delivery` and `Idempotency-Key`).

    `source_seq` is the audit chain position the event was derived from; one delivery per subscription and
    position, so the cursor job running twice sends nothing twice."""

    AUDIT_JURISDICTION = "subscription.jurisdiction"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_type = models.CharField(_("event type"), max_length=32, choices=EventType.choices)
    source_seq = models.BigIntegerField(_("audit chain position"))
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivery_key = models.UUIDField(_("delivery ID"), default=uuid.uuid4, unique=True, editable=False)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "source_seq"], name="webhook_once_per_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription} ({self.status})"


class EventCursor(models.Model):
    """One row: the audit chain position up to which entries were turned into deliveries."""

    last_seq = models.BigIntegerField(_("last audit chain position"), default=0)

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self) -> str:
        return str(self.last_seq)
