from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from daiban.common.forms import limit_choices
from daiban.common.validators import normalize_mobile, normalize_uscc, validate_mobile, validate_uscc
from daiban.organizations.models import Jurisdiction, Unit, User

from .models import Applicant, Project
from .registry import RegistryError, lookup_enabled, lookup_project_code
from .services import ApplicantData, ProjectData
from .validators import normalize_project_code, validate_project_code


class ApplicantForm(forms.Form):
    name = forms.CharField(label=_("enterprise name"), max_length=128)
    uscc = forms.CharField(
        label=_("unified social credit code"),
        max_length=32,
        help_text=_("18 characters, as printed on the business licence."),
    )
    contact_name = forms.CharField(label=_("contact person"), max_length=64)
    contact_mobile = forms.CharField(label=_("contact mobile"), max_length=20)
    address = forms.CharField(label=_("address"), max_length=255, required=False)

    def clean_uscc(self) -> str:
        value = normalize_uscc(self.cleaned_data["uscc"])
        validate_uscc(value)
        return value

    def clean_contact_mobile(self) -> str:
        value = normalize_mobile(self.cleaned_data["contact_mobile"])
        validate_mobile(value)
        return value

    def applicant_data(self) -> ApplicantData:
        d = self.cleaned_data
        return ApplicantData(
            name=d["name"],
            uscc=d["uscc"],
            contact_name=d["contact_name"],
            contact_mobile=d["contact_mobile"],
            address=d.get("address", ""),
        )


class SignUpForm(ApplicantForm):
    jurisdiction = forms.ModelChoiceField(
        label=_("where the project is built"),
        queryset=Jurisdiction.objects.filter(level=Jurisdiction.Level.COUNTY).order_by("code"),
        empty_label=_("-- choose --"),
    )
    full_name = forms.CharField(label=_("your name"), max_length=64)
    username = forms.RegexField(
        label=_("username"),
        max_length=30,
        regex=r"^[A-Za-z0-9_.-]{4,30}$",
        error_messages={"invalid": _("4–30 letters, digits or _ . - characters.")},
    )
    password1 = forms.CharField(label=_("password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("password again"), widget=forms.PasswordInput, strip=False)
    consent = forms.BooleanField(
        label=_("I understand the service is free and that agents act only with my consent."), required=True
    )

    field_order = [
        "jurisdiction",
        "name",
        "uscc",
        "contact_name",
        "contact_mobile",
        "address",
        "full_name",
        "username",
        "password1",
        "password2",
        "consent",
    ]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(
                    str(p1),
                    User(
                        username=str(cleaned.get("username", "")), full_name=str(cleaned.get("full_name", ""))
                    ),
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class LocationChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.get_kind_display()} · {obj.name}"


class ProjectFieldsForm(forms.Form):
    """A project's own fields; the location choices are the townships and parks of `jurisdictions`."""

    # A form that also asks for the enterprise's name and address names the project's own otherwise.
    project_name_field = "name"
    project_address_field = "address"

    name = forms.CharField(label=_("project name"), max_length=200)
    project_code = forms.CharField(
        label=_("project code"),
        max_length=32,
        required=False,
        help_text=_(
            "From the investment project online approval platform, e.g. 2025-500242-47-03-000123. Leave it "
            "empty only if the project is still to be filed or approved: the code is filled in then."
        ),
    )
    kind = forms.ChoiceField(label=_("construction type"), choices=Project.Kind.choices)
    location = LocationChoiceField(label=_("location (township or park)"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("site address"), max_length=255, required=False)
    investment_amount = forms.DecimalField(
        label=_("total investment (10,000 yuan)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    land_area = forms.DecimalField(
        label=_("land area (m²)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    floor_area = forms.DecimalField(
        label=_("floor area (m²)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )

    def set_locations(self, jurisdictions: QuerySet[Jurisdiction] | QuerySet[Any, int]) -> None:
        """Offer the townships and parks of `jurisdictions` (the jurisdictions, or a query of their ids)."""
        places = Unit.objects.filter(
            jurisdiction__in=jurisdictions, kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.PARK], is_active=True
        )
        limit_choices(
            self,
            "location",
            places.select_related("jurisdiction").order_by("jurisdiction__code", "-kind", "position"),
        )

    def clean_project_code(self) -> str:
        """The format, then (when the lookup is configured) the platform that issued the code."""
        value = normalize_project_code(self.cleaned_data["project_code"])
        if not value:
            return ""  # a project still to be filed or approved (its request must start with that item)
        validate_project_code(value)
        if lookup_enabled():
            try:
                lookup_project_code(value)
            except RegistryError as exc:
                raise forms.ValidationError(str(exc), code="project_code_lookup") from exc
        return value

    def project_data(self) -> ProjectData:
        d = self.cleaned_data
        return ProjectData(
            name=d[self.project_name_field],
            project_code=d["project_code"],
            kind=d["kind"],
            location=d["location"],
            address=d.get(self.project_address_field, ""),
            investment_amount=d["investment_amount"],
            land_area=d["land_area"],
            floor_area=d["floor_area"],
        )


class ProjectForm(ProjectFieldsForm):
    applicant = forms.ModelChoiceField(
        label=_("applicant"), queryset=Applicant.objects.none(), empty_label=None
    )

    field_order = ["applicant"]

    def __init__(self, *args: Any, applicants: QuerySet[Applicant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "applicant", applicants)
        self.set_locations(applicants.values_list("jurisdiction", flat=True))
        self._only_applicant = applicants.first() if applicants.count() == 1 else None
        if self._only_applicant is not None:
            self.fields["applicant"].widget = forms.HiddenInput()
            self.fields["applicant"].required = False
            self.initial.setdefault("applicant", self._only_applicant)

    def clean_applicant(self) -> Applicant:
        applicant = self.cleaned_data.get("applicant") or self._only_applicant
        if applicant is None:
            raise forms.ValidationError(_("Choose the enterprise the project belongs to."))
        return applicant
