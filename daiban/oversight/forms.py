from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from daiban.common.forms import DateField, OptionalRowForm, limit_choices
from daiban.common.models import AuditEntry
from daiban.organizations.forms import PersonChoiceField
from daiban.organizations.models import Jurisdiction, Unit, User

from .services import TEXT_MAX


class IssueForm(forms.Form):
    title = forms.CharField(label=_("problem"), max_length=200)
    description = forms.CharField(
        label=_("details"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
    )


class NewIssueForm(IssueForm):
    jurisdiction = forms.ModelChoiceField(label=_("jurisdiction"), queryset=Jurisdiction.objects.none())
    unit = forms.ModelChoiceField(label=_("locality or unit concerned"), queryset=Unit.objects.none())
    field_order = ["jurisdiction", "unit", "title", "description"]

    def __init__(self, *args: Any, jurisdictions: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "jurisdiction", jurisdictions)
        if jurisdictions.count() == 1:
            self.fields["jurisdiction"].initial = jurisdictions.first()
        units = Unit.objects.filter(
            jurisdiction__in=jurisdictions,
            kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.PARK, Unit.Kind.DEPARTMENT],
        )
        limit_choices(self, "unit", units.order_by("jurisdiction__code", "kind", "position", "id"))


class AssignIssueForm(forms.Form):
    assignee = PersonChoiceField(label=_("responsible agent"), queryset=User.objects.none())
    working_days = forms.IntegerField(
        label=_("deadline in working days"), min_value=1, max_value=60, initial=5
    )

    def __init__(self, *args: Any, agents: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent_ids = [a.pk for a in agents]
        limit_choices(self, "assignee", User.objects.filter(pk__in=agent_ids).order_by("full_name", "id"))


class IssueTextForm(forms.Form):
    text = forms.CharField(
        label=_("note"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_MAX})
    )


class LedgerForm(forms.Form):
    annotation = forms.CharField(
        label=_("notes from the unit"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
        help_text=_("Explain anything the figures do not show: delays outside the unit, special cases."),
    )


class InspectionForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("jurisdiction"), queryset=Jurisdiction.objects.none())
    held_on = DateField(label=_("inspected on"))
    units = forms.ModelMultipleChoiceField(
        label=_("units inspected"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    inspectors = forms.CharField(label=_("inspectors"), max_length=255)
    scope = forms.CharField(label=_("subject"), max_length=200)
    findings = forms.CharField(
        label=_("findings"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, jurisdictions: QuerySet[Jurisdiction], units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "jurisdiction", jurisdictions)
        if jurisdictions.count() == 1:
            self.fields["jurisdiction"].initial = jurisdictions.first()
        limit_choices(self, "units", units)


class ActionForm(OptionalRowForm):
    together = ("unit", "action", "due_on")
    incomplete = _("A required action needs a unit, a description and a due date.")
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False)
    action = forms.CharField(label=_("required action"), max_length=255, required=False)
    due_on = DateField(label=_("due on"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "unit", units)


class AuditSearchForm(forms.Form):
    """The audit page's filters, read from the query string: who, what object, which event, when, from
    where. Every field is optional; an invalid value is shown on the page, never guessed at."""

    who = forms.CharField(label=_("Who"), required=False, max_length=64)
    what = forms.CharField(label=_("Object"), required=False, max_length=100)
    verb = forms.CharField(
        label=_("Event"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "audit-verbs"}),
        validators=[RegexValidator(r"^[a-z_.]*$", _("An event code has lower-case letters, _ and . only."))],
    )
    address = forms.GenericIPAddressField(label=_("From address"), required=False)
    from_on = DateField(label=_("From"), required=False)
    to_on = DateField(label=_("To"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_on") and data.get("to_on") and data["from_on"] > data["to_on"]:
            self.add_error("to_on", _("The end of the period is before its start."))
        return data

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        if data.get("who"):
            entries = entries.filter(
                Q(actor__username__icontains=data["who"]) | Q(actor__full_name__icontains=data["who"])
            )
        if data.get("what"):
            entries = entries.filter(
                Q(target_label__icontains=data["what"])
                | Q(target_id=data["what"])
                | Q(target_type=data["what"])
            )
        if data.get("verb"):
            entries = entries.filter(verb__startswith=data["verb"])
        if data.get("address"):
            entries = entries.filter(from_address=data["address"])
        if data.get("from_on"):
            entries = entries.filter(at__date__gte=data["from_on"])
        if data.get("to_on"):
            entries = entries.filter(at__date__lte=data["to_on"])
        return entries


class ForumForm(forms.Form):
    """会议座谈: the opinions heard are written one per line."""

    jurisdiction = forms.ModelChoiceField(label=_("jurisdiction"), queryset=Jurisdiction.objects.none())
    held_on = DateField(label=_("held on"))
    place = forms.CharField(label=_("place"), max_length=200)
    host = forms.CharField(label=_("host"), max_length=100)
    enterprises = forms.CharField(
        label=_("enterprises that came"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    attendees = forms.CharField(
        label=_("people who came"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    opinions = forms.CharField(
        label=_("opinions heard (one per line)"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, jurisdictions: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "jurisdiction", jurisdictions)
        if jurisdictions.count() == 1:
            self.fields["jurisdiction"].initial = jurisdictions.first()


class RaiseOpinionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("locality or unit concerned"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "unit", units)
