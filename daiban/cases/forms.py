from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from daiban.catalogue.models import ApprovalItem
from daiban.common.forms import DateInput
from daiban.organizations.models import Unit, User, Window
from daiban.projects.forms import ApplicantForm, ProjectFieldsForm
from daiban.projects.models import Project

from .models import CaseItem, ChaseRecord, ClockStop, Delivery, ItemMaterial, RequestDocument, ServiceRequest
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
        label=_("approval items"), queryset=ApprovalItem.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one approval item.")},
    )  # fmt: skip
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
            "I understand the service is free: only fees required by law are paid, to the approving department."
        ),
        required=True,
    )

    def set_items(self, items: QuerySet[ApprovalItem]) -> None:
        self.fields["approval_items"].queryset = items  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == ServiceRequest.Mode.PROXY and not cleaned.get("consent"):
            self.add_error("consent", _("Proxy handling needs the applicant's consent."))
        return cleaned

    def request_data(self) -> RequestData:
        d = self.cleaned_data
        return RequestData(
            mode=d["mode"], approval_items=list(d["approval_items"]), consent=bool(d.get("consent")),
            free_of_charge_acknowledged=bool(d.get("free_of_charge_acknowledged")), note=d.get("note", ""),
            documents=d.get("documents") or [],
        )  # fmt: skip


class OnlineRequestForm(RequestFieldsForm):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none(), empty_label=None)

    field_order = ["project", "mode", "approval_items"]

    def __init__(
        self, *args: Any, projects: QuerySet[Project], items: QuerySet[ApprovalItem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        self.set_items(items)


class WindowRequestForm(ApplicantForm, ProjectFieldsForm, RequestFieldsForm):
    """A walk-in application: the enterprise, its project and the request on one sheet."""

    window = forms.ModelChoiceField(label=_("window"), queryset=Window.objects.none(), empty_label=None)
    project_name_field = "project_name"
    project_address_field = "project_address"

    field_order = [
        "window", "name", "uscc", "contact_name", "contact_mobile", "address", "project_name", "project_code",
        "kind", "location", "project_address", "investment_amount", "land_area", "floor_area", "mode", "approval_items",
    ]  # fmt: skip

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
        self.fields["window"].queryset = windows  # type: ignore[attr-defined]
        jurisdictions = windows.values("service_centre__jurisdiction")
        self.set_locations(jurisdictions)
        self.set_items(items)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("reason the applicant will see"),
        max_length=1000,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("agent"), queryset=User.objects.none())
    # The agent the page showed (0 for none): a second coordinator's click is refused, not obeyed.
    current = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reason = forms.CharField(
        label=_("reason (for a reassignment)"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("reason (for a reassignment)")}),
    )

    def __init__(self, *args: Any, agents: QuerySet[User] | list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["agent"])
        if isinstance(agents, list):  # already read with their loads: offer exactly those
            field.queryset = User.objects.filter(pk__in=[a.pk for a in agents])
            field.choices = [("", "---------")] + [(a.pk, self._label(a)) for a in agents]
        else:
            field.queryset = agents
            field.label_from_instance = self._label  # type: ignore[method-assign, assignment]

    @staticmethod
    def _label(user: User) -> str:
        return str(
            _("%(name)s (%(load)s open items)")
            % {"name": user.display_name, "load": getattr(user, "load", 0)}
        )


class StepForm(forms.Form):
    """Every step posts the item's version it was read at, so a concurrent change is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PlainStepForm(StepForm):
    pass


class FileForm(StepForm):
    external_ref = forms.CharField(label=_("approval system receipt number"), max_length=40)
    filed_on = forms.DateField(label=_("filed on"), widget=DateInput)


class OnDateForm(StepForm):
    on = forms.DateField(label=_("date"), widget=DateInput)


class CorrectionForm(StepForm):
    on = forms.DateField(label=_("correction notice date"), widget=DateInput)
    note = forms.CharField(
        label=_("what must be corrected"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApproveForm(StepForm):
    decided_on = forms.DateField(label=_("decided on"), widget=DateInput)


class RefuseForm(StepForm):
    decided_on = forms.DateField(label=_("decided on"), widget=DateInput)
    reason = forms.CharField(
        label=_("legal reason for refusing"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryForm(StepForm):
    method = forms.ChoiceField(label=_("method"), choices=Delivery.Method.choices)
    delivered_on = forms.DateField(label=_("delivered on"), widget=DateInput)
    receiver = forms.CharField(label=_("receiver"), max_length=64, required=False)
    carrier = forms.CharField(label=_("carrier"), max_length=64, required=False)
    tracking_number = forms.CharField(label=_("tracking number"), max_length=40, required=False)
    signature = forms.FileField(
        label=_("photo of the signed receipt"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class ChecklistLineForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=ItemMaterial.Status.choices)
    promised_on = forms.DateField(label=_("promised by"), required=False, widget=DateInput)
    note = forms.CharField(label=_("note"), max_length=255, required=False)


class SpecialProcedureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("special procedure"),
        choices=[c for c in ClockStop.Kind.choices if c[0] != ClockStop.Kind.CORRECTION],
    )
    start_on = forms.DateField(label=_("from"), widget=DateInput)
    note = forms.CharField(label=_("note"), max_length=255, required=False)


class EndProcedureForm(forms.Form):
    end_on = forms.DateField(label=_("until"), widget=DateInput)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("visited on"), widget=DateInput)
    place = forms.CharField(label=_("place"), max_length=255)
    people_met = forms.CharField(label=_("people met"), max_length=255)
    note = forms.CharField(label=_("what was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document_kind = forms.ChoiceField(label=_("the files are"), choices=RequestDocument.Kind.choices)
    case_item = forms.ModelChoiceField(label=_("for item"), queryset=CaseItem.objects.none(), required=False)
    documents = MultipleFileField(label=_("scans and photos"), required=False)

    def __init__(self, *args: Any, request_items: QuerySet[CaseItem] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request_items is not None:
            cast(forms.ModelChoiceField, self.fields["case_item"]).queryset = request_items


class ChaseForm(forms.Form):
    chased_on = forms.DateField(label=_("date"), widget=DateInput)
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
            cast(forms.ModelChoiceField, self.fields["department"]).queryset = departments
