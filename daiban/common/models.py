from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryNote(models.Model):
    """One step in a record's history as people read it: when, who, what (a dotted past-participle verb, as
    in the audit trail), the move (from and to state, when it was one) and a note. Every history table —
    the request timeline, issue notes, rectification notes — is one of these, so one template shows them
    all (`common/history.html`). A subclass adds the foreign key to its record, its Meta, `VERBS`
    (verb → label) and `STATES` (state → label)."""

    VERBS: ClassVar[Mapping[str, Any]] = {}
    STATES: ClassVar[Mapping[str, Any]] = {}
    SHOW_STATE: ClassVar[bool] = False  # whether the page names the state reached after the verb

    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the platform itself took the step."),
    )
    verb = models.CharField(_("event"), max_length=64)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    text = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}" if self.at else self.verb

    @property
    def verb_label(self) -> str:
        return str(self.VERBS.get(self.verb, self.verb))

    @property
    def to_state_label(self) -> str:
        return str(self.STATES.get(self.to_state, self.to_state))


class AuditEntry(models.Model):
    """One audited event — a write made through the service layer or the admin, or a security event (a
    sign-in, a refusal, an export, a read of personal data): who, when, from where, what, before and after.

    Rows are append-only: on PostgreSQL a trigger refuses every UPDATE and DELETE except the one sealing
    step and the archive (migration 0003). The chain (`seq`, `chain_hash`) makes any later edit or deletion
    evident: `audit_chain.seal` gives each committed entry the next position and the hash of its content
    together with its predecessor's hash; `manage.py verify_audit` recomputes it (ADR 0013).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.CharField(_("object ID"), max_length=64)
    target_label = models.CharField(_("object"), max_length=255, blank=True)
    jurisdiction_code = models.CharField(_("jurisdiction code"), max_length=6, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    from_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    seq = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True, editable=False)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_label}"


class DailyJobRun(models.Model):
    """Which day each daily job last covered, so a worker that was down at 8:00 runs what it missed, and a
    run that failed on some items is retried the same day (daiban.common.jobs, ADR 0007). The row is also
    the run's claim: several workers tick, one runs."""

    job = models.CharField(_("job"), max_length=100, unique=True)
    covered_on = models.DateField(_("last day covered"), null=True, blank=True)
    running_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    outcome = models.JSONField(_("last outcome"), default=dict, blank=True)

    class Meta:
        verbose_name = _("daily job run")
        verbose_name_plural = _("daily job runs")

    def __str__(self) -> str:
        return f"{self.job} → {self.covered_on}"


class AuditChainHead(models.Model):
    """The end of the audit chain: the last sealed position and its hash, and how far the chain has been
    archived. One row. Sealing locks it, so positions are handed out one at a time; `verify_audit` compares
    the last entry with it, so deleting the newest entries is as evident as deleting any other."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    archived_through_seq = models.BigIntegerField(default=0)
    archived_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq}"
