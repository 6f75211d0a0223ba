"""Applicant and project reads scoped to the person asking.

Staff see their jurisdictions' applicants and projects; an applicant user sees only the enterprises it
represents and their projects. Nobody else sees anything.
"""

from django.db.models import Q, QuerySet

from daiban.organizations.auth import Viewer
from daiban.organizations.selectors import person_id, staff_jurisdiction_ids

from .models import Applicant, ApplicantRepresentative, Project

_CACHE_ATTR = "_daiban_represented_ids"


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


def represented_applicant_ids(user: Viewer) -> frozenset[int]:
    """The enterprises the user speaks for, read once per request and kept on the user object: the menu,
    the permission checks and the page all ask, and each would otherwise cost its own query."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            ApplicantRepresentative.objects.filter(user_id=person_id(user)).values_list(
                "applicant_id", flat=True
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_representation(user: Viewer) -> None:
    """Drop the cached enterprises after a representative was added, so the same request sees it."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_applicant_user(user: Viewer) -> bool:
    return bool(represented_applicant_ids(user))


def represents(user: Viewer, applicant_id: int) -> bool:
    """The user speaks for this enterprise."""
    return applicant_id in represented_applicant_ids(user)


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
