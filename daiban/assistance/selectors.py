"""Assistance reads scoped to the person asking: applicants see their enterprises' questions; staff
see the questions of the jurisdictions they work in (they share the duty of answering them)."""

from django.db.models import Q, QuerySet

from daiban.cases.models import ServiceRequest
from daiban.cases.selectors import requests_visible_to
from daiban.organizations.auth import Viewer
from daiban.organizations.selectors import (
    coordinator_units,
    is_platform_superuser,
    person_id,
    staff_jurisdiction_ids,
)
from daiban.projects.models import Applicant

from .models import Consultation, FollowUp


def consultations_visible_to(user: Viewer) -> QuerySet[Consultation]:
    if not user.is_authenticated:
        return Consultation.objects.none()
    if is_platform_superuser(user):
        return Consultation.objects.all()
    uid = person_id(user)
    represented = Applicant.objects.filter(representatives__user_id=uid).values("id")
    return Consultation.objects.filter(
        Q(applicant__in=represented)
        | Q(recorded_by_id=uid)
        | Q(jurisdiction_id__in=staff_jurisdiction_ids(user))
    )


def meeting_requests_visible_to(user: Viewer) -> QuerySet[ServiceRequest]:
    """Requests whose coordination meetings the user may open: those it may see, and those with a follow-up
    owned by a unit it coordinates (its coordinators are told of the follow-up and report it done)."""
    owned = FollowUp.objects.filter(owner_unit_id__in=coordinator_units(user)).values("meeting__request_id")
    return ServiceRequest.objects.filter(Q(pk__in=requests_visible_to(user).values("pk")) | Q(pk__in=owned))
