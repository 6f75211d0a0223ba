from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from daiban.catalogue.models import ApprovalItem
from daiban.common.forms import DateField, limit_choices
from daiban.organizations.models import Unit, User, Window
from daiban.projects.forms import ApplicantForm, ProjectFieldsForm
from daiban.projects.models import Project
from daiban.projects.registry import RegistryError, lookup_enabled, lookup_project_code
from daiban.projects.validators import normalize_project_code, validate_project_code

from .models import (
    CaseItem,
    ChaseRecord,
    ClockStop,
    Delivery,
    ItemMaterial,
    RefusalNotice,
    RequestDocument,
    ServiceRequest,
)
from .services import RequestData


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RequestFieldsForm(forms.Form):
    """What is asked of every request, online or at the window."""

    mode = forms.ChoiceField(
        label=_("service wanted"), choices=ServiceRequest.Mode.choices, widget=forms.RadioSelect
    )
    approval_items = forms.ModelMultipleChoiceField(
        label=_("approval items"),
        queryset=ApprovalItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one approval item.")},
    )
    documents = MultipleFileField(
        label=_("materials at hand"),
        required=False,
        help_text=_("PDF, JPEG, PNG, Word or Excel, up to 20 MB each. The agent collects the rest."),
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent = forms.BooleanField(
        label=_("The applicant entrusts the agent to handle these items on its behalf (needed for proxy)."),
        required=False,
    )
    free_of_charge_acknowledged = forms.BooleanField(
        label=_(
            "I understand the service is free: only fees required by law are paid, "
            "to the approving department."
        ),
        required=True,
    )

    def set_items(self, items: QuerySet[ApprovalItem]) -> None:
        limit_choices(self, "approval_items", items)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == ServiceRequest.Mode.PROXY and not cleaned.get("consent"):
            self.add_error("consent", _("Proxy handling needs the applicant's consent."))
        return cleaned

    def request_data(self) -> RequestData:
        d = self.cleaned_data
        return RequestData(
            mode=d["mode"],
            approval_items=list(d["approval_items"]),
            consent=bool(d.get("consent")),
            free_of_charge_acknowledged=bool(d.get("free_of_charge_acknowledged")),
            note=d.get("note", ""),
            documents=d.get("documents") or [],
        )


class OnlineRequestForm(RequestFieldsForm):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none(), empty_label=None)

    field_order = ["project", "mode", "approval_items"]

    def __init__(
        self, *args: Any, projects: QuerySet[Project], items: QuerySet[ApprovalItem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "project", projects)
        self.set_items(items)


class WindowRequestForm(ApplicantForm, ProjectFieldsForm, RequestFieldsForm):
    """A walk-in application: the enterprise, its project and the request on one sheet."""

    window = forms.ModelChoiceField(label=_("window"), queryset=Window.objects.none(), empty_label=None)
    project_name_field = "project_name"
    project_address_field = "project_address"

    field_order = [
        "window",
        "name",
        "uscc",
        "contact_name",
        "contact_mobile",
        "address",
        "project_name",
        "project_code",
        "kind",
        "location",
        "project_address",
        "investment_amount",
        "land_area",
        "floor_area",
        "mode",
        "approval_items",
    ]

    def __init__(
        self, *args: Any, windows: QuerySet[Window], items: QuerySet[ApprovalItem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The enterprise and the project both have a name: the project's is asked as project_name.
        self.fields["project_name"] = forms.CharField(label=_("project name"), max_length=200)
        self.fields["project_address"] = forms.CharField(
            label=_("site address"), max_length=255, required=False
        )
        self.fields["name"].label = _("enterprise name")
        self.order_fields(self.field_order)
        limit_choices(self, "window", windows)
        jurisdictions = windows.values_list("service_centre__jurisdiction", flat=True)
        self.set_locations(jurisdictions)
        self.set_items(items)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("reason the applicant will see"),
        max_length=1000,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    """撤回: the reason is asked (by the service) once the request is being handled."""

    reason = forms.CharField(
        label=_("reason for withdrawing (the agents read it)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AgentChoiceField(forms.ModelChoiceField[User]):
    """Agents shown with their open items (`load`, when the query annotated it)."""

    def label_from_instance(self, obj: User) -> str:
        return str(
            _("%(name)s (%(load)s open items)") % {"name": obj.display_name, "load": getattr(obj, "load", 0)}
        )


class AssignForm(forms.Form):
    # Shown in a table cell without a <label>: the field names itself to screen readers (axe select-name).
    agent = AgentChoiceField(
        label=_("agent"), queryset=User.objects.none(), widget=forms.Select(attrs={"aria-label": _("agent")})
    )
    # The agent the page showed (0 for none): a second coordinator's click is refused, not obeyed.
    current = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reason = forms.CharField(
        label=_("reason (for a reassignment)"),
        max_length=255,
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("reason (for a reassignment)"),
                "aria-label": _("reason (for a reassignment)"),
            }
        ),
    )

    def __init__(self, *args: Any, agents: QuerySet[User] | list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(agents, list):  # already read with their loads: offer exactly those
            field = limit_choices(self, "agent", User.objects.filter(pk__in=[a.pk for a in agents]))
            field.choices = [("", "---------")] + [(a.pk, field.label_from_instance(a)) for a in agents]
        else:
            limit_choices(self, "agent", agents)


class BulkAssignForm(forms.Form):
    """One agent for several items of a request (every item without an agent is ticked at first)."""

    items = forms.ModelMultipleChoiceField(
        label=_("items to assign"), queryset=CaseItem.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    agent = AgentChoiceField(label=_("agent"), queryset=User.objects.none())
    reason = forms.CharField(label=_("reason (for a reassignment)"), max_length=255, required=False)

    def __init__(
        self, *args: Any, items: QuerySet[CaseItem] | list[CaseItem], agents: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        chosen = limit_choices(self, "items", CaseItem.objects.filter(pk__in=[i.pk for i in items]))
        chosen.choices = [(i.pk, i.approval_item.name) for i in items]
        field = limit_choices(self, "agent", User.objects.filter(pk__in=[a.pk for a in agents]))
        field.choices = [("", "---------")] + [(a.pk, field.label_from_instance(a)) for a in agents]


class StepForm(forms.Form):
    """Every step posts the item's version it was read at, so a concurrent change is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PlainStepForm(StepForm):
    pass


class ItemDeclineForm(StepForm):
    """不予受理 one item: the reason goes to the applicant."""

    reason = forms.CharField(
        label=_("reason the applicant will see"),
        max_length=1000,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FileForm(StepForm):
    external_ref = forms.CharField(label=_("approval system receipt number"), max_length=40)
    filed_on = DateField(label=_("filed on"))


class OnDateForm(StepForm):
    on = DateField(label=_("date"))


class CorrectionForm(StepForm):
    on = DateField(label=_("correction notice date"))
    note = forms.CharField(
        label=_("what must be corrected"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApproveForm(StepForm):
    decided_on = DateField(label=_("decided on"))
    result_number = forms.CharField(
        label=_("certificate or result number"),
        max_length=60,
        help_text=_("As printed on the certificate or the written decision."),
    )

    project_code = forms.CharField(
        label=_("project code issued"),
        max_length=32,
        required=False,
        help_text=_("Only when approving the filing or approval of a project that has no project code yet."),
    )

    def clean_project_code(self) -> str:
        """Format, then the platform's lookup (when configured); whether one is needed: the service."""
        value = normalize_project_code(self.cleaned_data["project_code"])
        if not value:
            return ""
        validate_project_code(value)
        if lookup_enabled():
            try:
                lookup_project_code(value)
            except RegistryError as exc:
                raise forms.ValidationError(str(exc), code="project_code_lookup") from exc
        return value


class RefuseForm(StepForm):
    decided_on = DateField(label=_("decided on"))
    reason = forms.CharField(
        label=_("legal reason for refusing"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryForm(StepForm):
    method = forms.ChoiceField(label=_("method"), choices=Delivery.Method.choices)
    delivered_on = DateField(label=_("delivered on"))
    receiver = forms.CharField(label=_("receiver"), max_length=64, required=False)
    carrier = forms.CharField(label=_("carrier"), max_length=64, required=False)
    tracking_number = forms.CharField(label=_("tracking number"), max_length=40, required=False)
    signature = forms.FileField(
        label=_("photo of the signed receipt"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class RefusalNoticeForm(forms.Form):
    """送达不予许可决定书: how, when and to whom the refusal decision was handed over (the service checks the
    dates against the decision and who may record it)."""

    method = forms.ChoiceField(label=_("method"), choices=RefusalNotice.Method.choices)
    delivered_on = DateField(label=_("delivered on"))
    recipient = forms.CharField(label=_("recipient"), max_length=64)
    receipt = forms.FileField(
        label=_("photo or scan of the signed receipt"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class ChecklistLineForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=ItemMaterial.Status.choices)
    promised_on = DateField(label=_("promised by"), required=False)
    note = forms.CharField(label=_("note"), max_length=255, required=False)


class SpecialProcedureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("special procedure"),
        choices=[c for c in ClockStop.Kind.choices if c[0] != ClockStop.Kind.CORRECTION],
    )
    start_on = DateField(label=_("from"))
    note = forms.CharField(label=_("note"), max_length=255, required=False)


class EndProcedureForm(forms.Form):
    end_on = DateField(label=_("until"))


class VisitForm(forms.Form):
    visited_on = DateField(label=_("visited on"))
    place = forms.CharField(label=_("place"), max_length=255)
    people_met = forms.CharField(label=_("people met"), max_length=255)
    note = forms.CharField(label=_("what was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document_kind = forms.ChoiceField(label=_("the files are"), choices=RequestDocument.Kind.choices)
    case_item = forms.ModelChoiceField(label=_("for item"), queryset=CaseItem.objects.none(), required=False)
    documents = MultipleFileField(label=_("scans and photos"), required=False)

    def __init__(self, *args: Any, request_items: QuerySet[CaseItem] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request_items is not None:
            limit_choices(self, "case_item", request_items)


class ChaseForm(forms.Form):
    chased_on = DateField(label=_("date"))
    department = forms.ModelChoiceField(label=_("department"), queryset=Unit.objects.none())
    how = forms.ChoiceField(label=_("how"), choices=ChaseRecord.How.choices)
    answer = forms.CharField(label=_("answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("next step"), max_length=255, required=False)
    shared = forms.BooleanField(
        label=_("show to the applicant as a progress report"), required=False, initial=True
    )

    def __init__(self, *args: Any, departments: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            limit_choices(self, "department", departments)
