"""Who may call the API (clients and their keys) and what the approval system told us (item events)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.organizations.models import Jurisdiction


class Scope(models.TextChoices):
    READ_CATALOGUE = "read_catalogue", _("Read the catalogue")
    READ_CASES = "read_cases", _("Read requests and items")
    READ_STATISTICS = "read_statistics", _("Read statistics")
    CREATE_REQUESTS = "create_requests", _("Create requests")
    POST_ITEM_EVENTS = "post_item_events", _("Post item events")


class ApiClient(models.Model):
    """One external system in one jurisdiction (the 工改系统 of 酉阳, a data screen), with its scopes."""

    name = models.CharField(_("name"), max_length=128)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="api_clients"
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("calls per minute"), default=600)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["jurisdiction", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiKey(models.Model):
    """A signing key. The database keeps its id, a salt and a fingerprint, never the secret: the secret is
    derived from the server's key secret and the salt (ADR 0020), shown once when issued."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("client"), on_delete=models.CASCADE, related_name="keys"
    )
    key_id = models.CharField(_("key id"), max_length=32, unique=True)
    salt = models.CharField(_("salt"), max_length=64)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["client", "-created_at", "-id"]

    AUDIT_JURISDICTION = "client.jurisdiction"

    def __str__(self) -> str:
        return self.key_id


class ItemEvent(models.Model):
    """One event the approval system posted for an item, kept by its event id: a repeat is answered from
    here, and an event that could not be applied (older than what we know, or impossible now) stays here
    as a conflict the coordinator sees on the item page."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        REVIEW_STARTED = "review_started", _("Review started")
        CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        SPECIAL_PROCEDURE_STARTED = "special_procedure_started", _("Special procedure started")
        SPECIAL_PROCEDURE_ENDED = "special_procedure_ended", _("Special procedure ended")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        CONFLICT = "conflict", _("Conflict: not applied")

    client = models.ForeignKey(
        ApiClient, verbose_name=_("client"), on_delete=models.PROTECT, related_name="+"
    )
    event_id = models.CharField(_("event id"), max_length=64)
    case_item = models.ForeignKey(
        CaseItem, verbose_name=_("case item"), on_delete=models.CASCADE, related_name="api_events"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    payload = models.JSONField(_("payload"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["case_item", "occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["client", "event_id"], name="item_event_once")]
        indexes = [
            models.Index(
                fields=["case_item", "occurred_at"],
                name="item_event_applied_idx",
                condition=Q(outcome="applied"),
            )
        ]

    AUDIT_JURISDICTION = "case_item.request.jurisdiction"

    def __str__(self) -> str:
        return f"{self.event_id} {self.kind}"


class IntakeReceipt(models.Model):
    """A request created through the API, kept by the caller's external id: a repeat returns the same one."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("client"), on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(_("external id"), max_length=64)
    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="api_receipts"
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake receipt")
        verbose_name_plural = _("intake receipts")
        constraints = [models.UniqueConstraint(fields=["client", "external_id"], name="intake_once")]

    AUDIT_JURISDICTION = "request.jurisdiction"

    def __str__(self) -> str:
        return self.external_id
