"""Feedback reads scoped to the person asking.

- applicants: the evaluations and complaints of their enterprises' requests;
- agents: their own evaluations, a bad one's comment hidden until a supervisor releases it;
- hall managers and supervisors: their jurisdictions; rectification owners: what they own.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django_stubs_ext import WithAnnotations

from daiban.cases.models import HANDLING_STATES, ServiceRequest
from daiban.organizations.auth import Viewer
from daiban.organizations.models import Role, User
from daiban.organizations.selectors import is_platform_superuser, jurisdictions_where, person_id, role_holders
from daiban.projects.models import Applicant

from .models import Callback, Evaluation, Rectification


def _represented(user: Viewer) -> QuerySet[Applicant]:
    return Applicant.objects.filter(representatives__user_id=person_id(user))


def _overseen(user: Viewer) -> set[int]:
    return jurisdictions_where(user, Role.SUPERVISOR) | jurisdictions_where(user, Role.HALL_MANAGER)


def evaluations_visible_to(user: Viewer) -> QuerySet[Evaluation]:
    if not user.is_authenticated:
        return Evaluation.objects.none()
    if is_platform_superuser(user):
        return Evaluation.objects.all()
    return Evaluation.objects.filter(
        Q(request__applicant__in=_represented(user).values("id"))
        | Q(agent_id=person_id(user))
        | Q(jurisdiction_id__in=_overseen(user))
    )


def comment_visible(user: Viewer, evaluation: Evaluation) -> bool:
    """The agent rated never reads a bad rating's comment (nor learns whose it is) before release."""
    return not (evaluation.agent_id == person_id(user) and evaluation.hidden_from_agent)


def rectifications_visible_to(user: Viewer) -> QuerySet[Rectification]:
    if not user.is_authenticated:
        return Rectification.objects.none()
    if is_platform_superuser(user):
        return Rectification.objects.all()
    uid = person_id(user)
    return Rectification.objects.filter(
        Q(owner_id=uid)
        | Q(raised_by_id=uid)
        | Q(jurisdiction_id__in=jurisdictions_where(user, Role.SUPERVISOR))
    )


def callbacks_visible_to(user: Viewer) -> QuerySet[Callback]:
    if not user.is_authenticated:
        return Callback.objects.none()
    return Callback.objects.filter(jurisdiction_id__in=_overseen(user))


class CallbackAttempts(TypedDict):
    attempts: int
    last_attempt_on: dt.date | None


def callback_queue(user: Viewer) -> QuerySet[WithAnnotations[ServiceRequest, CallbackAttempts]]:
    """Requests a hall manager has still to reach, oldest first, with the attempts so far: completed ones
    not reached since completion and, where the jurisdiction calls back throughout the service
    (`Jurisdiction.callbacks_throughout`, 大足's 全过程回访), those in handling not reached yet."""
    reached = Callback.objects.filter(request=OuterRef("pk"), reached=True)
    reached_since_completion = reached.filter(
        called_on__gte=TruncDate(ExpressionWrapper(OuterRef("completed_at"), output_field=DateTimeField()))
    )
    completed = Q(state=ServiceRequest.State.COMPLETED) & ~Exists(reached_since_completion)
    in_handling = Q(state__in=HANDLING_STATES, jurisdiction__callbacks_throughout=True) & ~Exists(reached)
    return (
        ServiceRequest.objects.filter(
            completed | in_handling,
            jurisdiction_id__in=jurisdictions_where(user, Role.HALL_MANAGER),
        )
        .select_related("project", "applicant", "jurisdiction")
        .annotate(attempts=Count("callbacks"), last_attempt_on=Max("callbacks__called_on"))
        .order_by("completed_at", "id")
    )


def owner_candidates(rectification: Rectification) -> QuerySet[User]:
    """Who may own a rectification: the jurisdiction's coordinators and supervisors, never the agent
    concerned."""
    people = role_holders(Role.COORDINATOR, jurisdiction=rectification.jurisdiction_id) | role_holders(
        Role.SUPERVISOR, jurisdiction=rectification.jurisdiction_id
    )
    return people.exclude(pk=rectification.agent_id or 0).distinct().order_by("full_name", "id")
