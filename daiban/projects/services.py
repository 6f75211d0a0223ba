"""Every write to applicants and projects: validated whole, saved in one transaction, audited."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from daiban.common.audit import AuditVerb, changed, record, snapshot
from daiban.common.validators import normalize_mobile, normalize_uscc
from daiban.organizations.models import Jurisdiction, Unit, User
from daiban.organizations.services import create_person

from .models import Applicant, ApplicantRepresentative, Project
from .selectors import forget_representation
from .validators import normalize_project_code, validate_project_code

APPLICANT_FIELDS = ["jurisdiction", "name", "uscc", "contact_name", "contact_mobile", "address"]
PROJECT_FIELDS = [
    "applicant",
    "jurisdiction",
    "name",
    "project_code",
    "kind",
    "location",
    "address",
    "investment_amount",
    "land_area",
    "floor_area",
]


@dataclass(frozen=True)
class ApplicantData:
    name: str
    uscc: str
    contact_name: str
    contact_mobile: str
    address: str = ""


@dataclass(frozen=True)
class ProjectData:
    name: str
    project_code: str
    kind: str
    location: Unit
    investment_amount: Decimal
    land_area: Decimal
    floor_area: Decimal
    address: str = ""


def _fill_applicant(applicant: Applicant, data: ApplicantData) -> None:
    applicant.name = data.name.strip()
    applicant.uscc = normalize_uscc(data.uscc)
    applicant.contact_name = data.contact_name.strip()
    applicant.contact_mobile = normalize_mobile(data.contact_mobile)
    applicant.address = data.address.strip()
    applicant.full_clean()


@transaction.atomic
def register_applicant(*, jurisdiction: Jurisdiction, data: ApplicantData, by: User | None) -> Applicant:
    applicant = Applicant(jurisdiction=jurisdiction)
    _fill_applicant(applicant, data)
    applicant.save()
    record(
        actor=by,
        verb=AuditVerb.APPLICANT_REGISTERED,
        target=applicant,
        after=snapshot(applicant, APPLICANT_FIELDS),
    )
    return applicant


@transaction.atomic
def update_applicant(*, applicant: Applicant, data: ApplicantData, by: User | None) -> Applicant:
    before = snapshot(applicant, APPLICANT_FIELDS)
    _fill_applicant(applicant, data)
    applicant.save()
    after = snapshot(applicant, APPLICANT_FIELDS)
    record(
        actor=by,
        verb=AuditVerb.APPLICANT_UPDATED,
        target=applicant,
        before=changed(before, after),
        after=changed(after, before),
    )
    return applicant


@transaction.atomic
def add_representative(*, applicant: Applicant, user: User, by: User | None) -> ApplicantRepresentative:
    link, created = ApplicantRepresentative.objects.get_or_create(applicant=applicant, user=user)
    forget_representation(user)
    if created:
        record(
            actor=by,
            verb=AuditVerb.APPLICANT_REPRESENTATIVE_ADDED,
            target=link,
            after={"applicant": applicant.pk, "user": user.pk},
        )
    return link


@transaction.atomic
def sign_up_applicant(
    *, jurisdiction: Jurisdiction, data: ApplicantData, username: str, password: str, full_name: str
) -> tuple[User, Applicant]:
    """An enterprise registers online: its account, the enterprise and the link, all or nothing.

    An enterprise already registered in the jurisdiction is not re-created by a stranger: that needs
    the existing representatives or the service centre, so nobody can take over a company by its code.
    """
    existing = Applicant.objects.filter(jurisdiction=jurisdiction, uscc=normalize_uscc(data.uscc)).first()
    if existing is not None and any(
        not link.user.has_usable_password() for link in existing.representatives.select_related("user")
    ):  # the window opened its account: the code sent to the contact mobile activates it
        raise ValidationError(
            {
                "uscc": _(
                    "The service centre window already opened an online account for this enterprise. "
                    "Activate it with the code sent by SMS to the contact mobile (“Activate your online "
                    "account” on the sign-in page)."
                )
            }
        )
    if existing is not None:
        raise ValidationError(
            {
                "uscc": _(
                    "This enterprise is already registered here. Ask its existing account holder or the "
                    "service centre window to add you."
                )
            }
        )
    _fill_applicant(Applicant(jurisdiction=jurisdiction), data)  # enterprise errors first, on its own fields
    user = create_person(
        username=username, full_name=full_name, mobile=data.contact_mobile, password=password, by=None
    )
    applicant = register_applicant(jurisdiction=jurisdiction, data=data, by=user)
    add_representative(applicant=applicant, user=user, by=user)
    return user, applicant


def _fill_project(project: Project, data: ProjectData) -> None:
    if data.location.jurisdiction_id != project.jurisdiction_id or not data.location.is_location:
        raise ValidationError({"location": _("Choose a township, street or park of this jurisdiction.")})
    code = normalize_project_code(data.project_code)
    if project.project_code and not code:
        raise ValidationError({"project_code": _("A project code, once given, cannot be removed.")})
    project.name = data.name.strip()
    project.project_code = code
    project.kind = data.kind
    project.location = data.location
    project.address = data.address.strip()
    project.investment_amount = data.investment_amount
    project.land_area = data.land_area
    project.floor_area = data.floor_area
    project.full_clean()


@transaction.atomic
def create_project(*, applicant: Applicant, data: ProjectData, by: User | None) -> Project:
    project = Project(applicant=applicant, jurisdiction=applicant.jurisdiction)
    _fill_project(project, data)
    project.save()
    record(
        actor=by,
        verb=AuditVerb.PROJECT_CREATED,
        target=project,
        after=snapshot(project, PROJECT_FIELDS),
    )
    return project


@transaction.atomic
def update_project(*, project: Project, data: ProjectData, by: User | None) -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    before = snapshot(locked, PROJECT_FIELDS)
    _fill_project(locked, data)
    locked.save()
    after = snapshot(locked, PROJECT_FIELDS)
    record(
        actor=by,
        verb=AuditVerb.PROJECT_UPDATED,
        target=locked,
        before=changed(before, after),
        after=changed(after, before),
    )
    return locked


@transaction.atomic
def record_project_code(*, project: Project, project_code: str, by: User | None) -> Project:
    """The code the platform issued when the project was filed or approved (备案/核准), on a project that
    started without one. Called by the service that records that approval, in its transaction."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    code = normalize_project_code(project_code)
    if locked.project_code:
        raise ValidationError({"project_code": _("The project already has a project code.")})
    try:
        validate_project_code(code)
    except ValidationError as exc:
        raise ValidationError({"project_code": exc.messages}) from exc
    if Project.objects.filter(jurisdiction_id=locked.jurisdiction_id, project_code=code).exists():
        raise ValidationError({"project_code": _("Another project here already has this project code.")})
    locked.project_code = code
    locked.save(update_fields=["project_code"])
    record(
        actor=by,
        verb=AuditVerb.PROJECT_UPDATED,
        target=locked,
        before={"project_code": ""},
        after={"project_code": code},
    )
    return locked
