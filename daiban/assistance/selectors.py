"""Assistance reads scoped to the person asking: applicants see their enterprises' questions; staff
see the questions of the jurisdictions they work in (they share the duty of answering them)."""

from django.db.models import Q, QuerySet

from daiban.organizations.auth import Viewer
from daiban.organizations.selectors import is_platform_superuser, person_id, staff_jurisdiction_ids
from daiban.projects.models import Applicant

from .models import Consultation


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
