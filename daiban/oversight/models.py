from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from daiban.cases.models import CaseItem
from daiban.common.audit import AuditVerb
from daiban.common.models import HistoryNote
from daiban.organizations.models import Jurisdiction, Unit
from daiban.workdays.quarters import Quarter


class CoordinationIssue(models.Model):
    """An entry of the 需协办事项问题清单: a problem that needs the reform office to coordinate.

    Raised by an agent from an item, or by a unit on its own; the reform office assigns it by locality
    (按属地) to a responsible agent with a deadline in working days, and follows it to resolution. The
    deadline is stored when assigned; the daily sweep escalates overdue issues."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="coordination_issues",
    )
    case_item = models.ForeignKey(
        CaseItem,
        verbose_name=_("case item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("locality or unit concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordination_issues",
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_issues",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("coordination issue")
        verbose_name_plural = _("coordination issues")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction", "status"], name="issue_status_idx"),
            models.Index(fields=["status", "due_on"], name="issue_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title


ISSUE_NOTE_VERBS: dict[str, Any] = {
    AuditVerb.ISSUE_ASSIGNED: _("assigned"),
    AuditVerb.ISSUE_FOLLOWED_UP: _("follow-up"),
    AuditVerb.ISSUE_RESOLVED: _("resolved"),
    AuditVerb.ISSUE_REOPENED: _("reopened"),
}


class IssueNote(HistoryNote):
    """An issue's history: assignments, follow-ups, resolution and reopening, with who and when."""

    AUDIT_JURISDICTION = "issue.jurisdiction"  # where `common.audit` finds its jurisdiction

    VERBS = ISSUE_NOTE_VERBS
    STATES = dict(CoordinationIssue.Status.choices)

    issue = models.ForeignKey(
        CoordinationIssue,
        verbose_name=_("coordination issue"),
        on_delete=models.CASCADE,
        related_name="notes",
    )

    class Meta:
        verbose_name = _("issue note")
        verbose_name_plural = _("issue notes")
        ordering = ["issue", "at", "id"]


class QuarterlyLedgerQuerySet(models.QuerySet["QuarterlyLedger"]):
    def of(self, quarter: Quarter) -> "QuarterlyLedgerQuerySet":
        return self.filter(year=quarter.year, quarter=quarter.number)


class QuarterlyLedger(models.Model):
    """A unit's submitted quarterly ledger (工作台账): the figures as they stood, and the unit's notes.

    Until a unit submits, its ledger is computed live from the data; submitting freezes the figures."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="ledgers")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    figures = models.JSONField(_("figures"))
    annotation = models.TextField(_("notes from the unit"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)

    objects = QuarterlyLedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly ledger")
        verbose_name_plural = _("quarterly ledgers")
        ordering = ["-year", "-quarter", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter"], name="ledger_once_per_quarter"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="ledger_quarter_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"

    @property
    def period(self) -> Quarter:
        """The quarter of the `year` and `quarter` columns."""
        return Quarter(self.year, self.quarter)

    @property
    def late(self) -> bool:
        return self.due_on is not None and self.submitted_at.date() > self.due_on


class AssessmentWeight(models.Model):
    """How much one indicator weighs in a jurisdiction's assessment of units or of agents (考核评比)."""

    class Target(models.TextChoices):
        UNIT = "unit", _("Units")
        AGENT = "agent", _("Agents")

    class Indicator(models.TextChoices):
        ON_TIME = "on_time", _("On-time rate")
        SPEED = "speed", _("Speed against the committed limit")
        SATISFACTION = "satisfaction", _("Applicants' satisfaction")
        CALLBACKS = "callbacks", _("Call-back results")
        ISSUES = "issues", _("Issues resolved on time")
        PROMISES = "promises", _("Service promises kept on time")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("assessed"), max_length=8, choices=Target.choices)
    indicator = models.CharField(_("indicator"), max_length=16, choices=Indicator.choices)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("assessment weight")
        verbose_name_plural = _("assessment weights")
        ordering = ["jurisdiction", "target", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "target", "indicator"], name="assessment_weight_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} · {self.get_indicator_display()} × {self.weight}"


class Inspection(models.Model):
    """督促检查: the reform office inspects units, writes down what it found and what each must do."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("inspected on"))
    units = models.ManyToManyField(Unit, verbose_name=_("units inspected"), related_name="inspections")
    inspectors = models.CharField(_("inspectors"), max_length=255)
    scope = models.CharField(_("subject"), max_length=200)
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.scope}"


class RequiredAction(models.Model):
    """What an inspection requires of one unit, by when; the unit reports it done."""

    AUDIT_JURISDICTION = "inspection.jurisdiction"  # where `common.audit` finds its jurisdiction

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="actions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="required_actions"
    )
    action = models.CharField(_("required action"), max_length=255)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("result"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("required action")
        verbose_name_plural = _("required actions")
        ordering = ["inspection", "due_on", "id"]

    def __str__(self) -> str:
        return self.action


class DashboardSnapshot(models.Model):
    """The dashboard's figures for a scope too large to count on every page view: the whole city (about a
    million items). A job recomputes them every few minutes with the same queries the live dashboard runs
    and replaces the row; the city view reads it while it is fresh and says how old it is (ADR 0011)."""

    CITY = "city"

    key = models.CharField(_("scope"), max_length=40, unique=True)
    computed_on = models.DateField(_("deadline standing as of"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"))
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self) -> str:
        return f"{self.key} {self.computed_at:%Y-%m-%d %H:%M}"


class Forum(models.Model):
    """会议座谈: the reform office hears enterprises (酉阳方案 （五）: 考核评比、电话回访、会议座谈等
    不同形式听取项目单位意见)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="forums"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    host = models.CharField(_("host"), max_length=100)
    enterprises = models.TextField(_("enterprises that came"))
    attendees = models.TextField(_("people who came"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("forum with enterprises")
        verbose_name_plural = _("forums with enterprises")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class ForumOpinion(models.Model):
    """One opinion heard at a forum; the office may raise it onto the 问题清单 (`issue`)."""

    AUDIT_JURISDICTION = "forum.jurisdiction"  # where `common.audit` finds its jurisdiction

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="opinions"
    )
    text = models.TextField(_("opinion"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    issue = models.OneToOneField(
        CoordinationIssue,
        verbose_name=_("raised as issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forum_opinion",
    )

    class Meta:
        verbose_name = _("opinion heard")
        verbose_name_plural = _("opinions heard")
        ordering = ["forum", "position", "id"]

    def __str__(self) -> str:
        return self.text[:40]
