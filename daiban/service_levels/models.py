"""Service levels (服务时限): the service's own promises to the applicant, as data per jurisdiction.

`ServiceLevel` holds a jurisdiction's working-day limits; `PromiseClock` is one promise made to one
request, item, consultation or rectification — when its clock started, the limit it runs under (frozen when
it starts, like an item's committed limit), its deadline and when it was kept. The daily sweep writes the
clocks (`services.refresh_clocks`) so that the dashboard, the ledger and the ranking count them in SQL."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from daiban.cases.models import ServiceRequest
from daiban.organizations.models import Jurisdiction

MAX_DAYS = 60
"""No promise of this service runs longer than three months of working days; a larger number is a typo."""


class Promise(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance")
    ASSIGNMENT = "assignment", _("Assignment of agents")
    FIRST_CONTACT = "first_contact", _("First contact")
    FIRST_VISIT = "first_visit", _("First visit")
    DELIVERY = "delivery", _("Delivery after pick-up")
    CONSULTATION = "consultation", _("Consultation answer")
    RECTIFICATION = "rectification", _("Rectification")


FIELD_OF: dict[str, str] = {promise.value: f"{promise.value}_days" for promise in Promise}
"""The `ServiceLevel` column holding each promise's limit."""

DEFAULT_DAYS: dict[str, int] = {
    Promise.ACCEPTANCE: 1,
    Promise.ASSIGNMENT: 1,
    Promise.FIRST_CONTACT: 1,
    Promise.FIRST_VISIT: 3,
    Promise.DELIVERY: 2,
    Promise.CONSULTATION: 2,
    Promise.RECTIFICATION: 10,
}
"""Defaults to be confirmed by each county: neither seed document gives a number (both say only 及时,
"promptly"); the rectification default is the platform's existing `DAIBAN_RECTIFICATION_WORKING_DAYS`."""


LIMIT_VALIDATORS = [
    MinValueValidator(1, _("A limit is at least 1 working day.")),
    MaxValueValidator(MAX_DAYS, _("A limit is at most %(limit_value)s working days.")),
]


def _limit(verbose: StrOrPromise, promise: Promise) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(
        verbose, default=DEFAULT_DAYS[promise], validators=LIMIT_VALIDATORS
    )


class ServiceLevel(models.Model):
    """One jurisdiction's limits, in working days of its own calendar."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    acceptance_days = _limit(_("accept within (working days after submission)"), Promise.ACCEPTANCE)
    assignment_days = _limit(_("assign agents within (working days after acceptance)"), Promise.ASSIGNMENT)
    first_contact_days = _limit(
        _("first contact within (working days after assignment)"), Promise.FIRST_CONTACT
    )
    first_visit_days = _limit(_("first visit within (working days after assignment)"), Promise.FIRST_VISIT)
    delivery_days = _limit(_("deliver within (working days after pick-up)"), Promise.DELIVERY)
    consultation_days = _limit(
        _("answer a consultation within (working days after it was asked)"), Promise.CONSULTATION
    )
    rectification_days = _limit(
        _("finish a rectification within (working days after it was opened)"), Promise.RECTIFICATION
    )
    confirmed = models.BooleanField(
        _("confirmed by the county"),
        default=False,
        help_text=_("Unticked: the limits are the platform's defaults, still to be confirmed."),
    )
    source = models.CharField(_("source"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service levels")
        verbose_name_plural = _("service levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"{name}__gte": 1 for name in FIELD_OF.values()},
                    **{f"{name}__lte": MAX_DAYS for name in FIELD_OF.values()},
                ),
                name="service_level_limits_in_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.jurisdiction)

    def days(self, promise: str) -> int:
        return int(getattr(self, FIELD_OF[Promise(promise)]))


class PromiseClock(models.Model):
    """One promise's clock. `object_id` is the request (acceptance, assignment, first contact, first visit),
    the case item (delivery), the consultation or the rectification the promise is about; `due_on` is
    empty while an applicant's hold-up runs or the holiday schedule does not reach the deadline;
    `met_on` is the day the promise was kept."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    promise = models.CharField(_("promise"), max_length=16, choices=Promise.choices)
    object_id = models.PositiveBigIntegerField(_("about"))
    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    started_on = models.DateField(_("started on"))
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"))
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    met_on = models.DateField(_("kept on"), null=True, blank=True)
    paused = models.BooleanField(_("paused by the applicant"), default=False)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("promise clock")
        verbose_name_plural = _("promise clocks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["promise", "object_id"], name="promise_clock_unique"),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "promise", "started_on"], name="promise_clock_count_idx"),
            models.Index(fields=["met_on", "due_on"], name="promise_clock_open_idx"),
        ]

    AUDIT_JURISDICTION = "jurisdiction"

    def __str__(self) -> str:
        return f"{self.get_promise_display()} #{self.object_id}"
