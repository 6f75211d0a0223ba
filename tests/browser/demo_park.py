"""The demo county as the journeys use it: 酉阳's industrial park, its applicant, coordinator, agent and the
住建委 reviewer, and a request for some catalogue items submitted by that applicant."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from daiban.cases.models import ServiceRequest
from daiban.cases.services import RequestData, submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.organizations.models import Jurisdiction, User
from daiban.portal.demo import load_demo
from daiban.projects.models import Project

from .conftest import cover_calendar_until


@dataclass
class Park:
    youyang: Jurisdiction
    project: Project
    applicant: User
    coordinator: User
    agent: User
    reviewer: User


def demo_park(calendar_days: int = 60) -> Park:
    """Load the demo and a working-day calendar reaching `calendar_days` past today."""
    load_demo()
    cover_calendar_until(timezone.localdate() + dt.timedelta(days=calendar_days))
    project = Project.objects.get(location__code="gyyq")
    return Park(
        youyang=Jurisdiction.objects.get(code="500242"),
        project=project,
        applicant=project.applicant.representatives.get().user,
        coordinator=User.objects.get(username="yy-coord-park"),
        agent=User.objects.get(username="yy-agent-park"),
        reviewer=User.objects.get(username="yy-reviewer"),
    )


def park_request(park: Park, codes: list[str], *, submitted_at: dt.datetime | None = None) -> ServiceRequest:
    """The applicant asks online for the proxy service on these items (optionally dated back)."""
    items = list(ApprovalItem.objects.filter(jurisdiction=park.youyang, code__in=codes))
    request = submit_request(
        project=park.project,
        by=park.applicant,
        channel="online",
        data=RequestData(mode="proxy", approval_items=items, consent=True, free_of_charge_acknowledged=True),
    )
    if submitted_at is not None:
        ServiceRequest.objects.filter(pk=request.pk).update(submitted_at=submitted_at)
        request.refresh_from_db()
    return request
