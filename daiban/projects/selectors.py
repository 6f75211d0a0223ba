"""Applicant and project reads scoped to the person asking.

Staff see their jurisdictions' applicants and projects; an applicant user sees only the enterprises it
represents and their projects. Nobody else sees anything.
"""

from django.db.models import Q, QuerySet

from daiban.organizations.auth import Viewer
from daiban.organizations.selectors import person_id, staff_jurisdiction_ids

from .models import Applicant, Project


def applicant_jurisdiction_ids(user: Viewer) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Applicant.objects.filter(representatives__user_id=person_id(user)).values_list(
            "jurisdiction_id", flat=True
        )
    )


def represented_applicants(user: Viewer) -> QuerySet[Applicant]:
    if not user.is_authenticated:
        return Applicant.objects.none()
    return Applicant.objects.filter(representatives__user_id=person_id(user)).select_related("jurisdiction")


def is_applicant_user(user: Viewer) -> bool:
    return represented_applicants(user).exists()


def applicants_visible_to(user: Viewer) -> QuerySet[Applicant]:
    if not user.is_authenticated:
        return Applicant.objects.none()
    staff_ids = staff_jurisdiction_ids(user)
    own = Applicant.objects.filter(representatives__user_id=person_id(user)).values("id")
    return Applicant.objects.filter(Q(jurisdiction_id__in=staff_ids) | Q(id__in=own)).select_related(
        "jurisdiction"
    )


def projects_visible_to(user: Viewer) -> QuerySet[Project]:
    if not user.is_authenticated:
        return Project.objects.none()
    staff_ids = staff_jurisdiction_ids(user)
    own = Applicant.objects.filter(representatives__user_id=person_id(user)).values("id")
    return Project.objects.filter(Q(jurisdiction_id__in=staff_ids) | Q(applicant_id__in=own)).select_related(
        "applicant", "jurisdiction", "location"
    )
