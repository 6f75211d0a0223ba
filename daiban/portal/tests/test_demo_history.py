"""The demo's year of history (daiban/portal/demo_history.py), loaded once for this module at a small size:
every state exists, every unit that has items has its people, the main pages show rows, a second load adds
nothing. Determinism has its own module (it needs an empty database)."""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from daiban.cases.models import CaseItem, ClockStop, RefusalNotice, ServiceRequest
from daiban.catalogue.models import ApprovalItem
from daiban.feedback.models import Callback, Evaluation, Rectification
from daiban.organizations.models import Role, Unit, User
from daiban.organizations.selectors import role_holders
from daiban.oversight.models import Inspection, QuarterlyLedger
from daiban.portal.demo import demo_password_hash, load_demo
from daiban.portal.demo_history import DEMO_MARK, load_history


@pytest.fixture(scope="module")
def history(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    """Loaded once inside a transaction that is rolled back after the module (each test nests in it)."""
    with django_db_blocker.unblock():
        translation.activate("zh-hans")
        with transaction.atomic():
            load_demo()
            made = load_history(
                by=User.objects.get(username="admin"), password_hash=demo_password_hash(), projects=4
            )
            yield made
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_every_request_state_and_item_state_is_present(history):
    assert set(ServiceRequest.objects.values_list("state", flat=True)) == set(ServiceRequest.State.values)
    assert set(CaseItem.objects.values_list("state", flat=True)) == set(CaseItem.State.values)
    for code in ("500242", "500111"):
        assert ServiceRequest.objects.filter(jurisdiction__code=code).count() >= 20, code


def test_the_open_queues_have_something(history):
    today = timezone.localdate()
    open_items = CaseItem.objects.filter(request__state__in=["accepted", "dispatched"])
    assert open_items.filter(due_on__lt=today).exists()  # overdue
    assert open_items.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=5)).exists()  # due soon
    assert ClockStop.objects.filter(end_on__isnull=True).exists()  # a stopped clock
    assert ClockStop.objects.filter(kind=ClockStop.Kind.CORRECTION).exists()
    assert open_items.filter(agent__isnull=True).exists()  # 待分派
    assert CaseItem.objects.filter(checklist__status="promised").exists()  # 容缺
    assert Evaluation.objects.exists() and Callback.objects.exists()
    assert Rectification.objects.filter(status=Rectification.Status.CLOSED).exists()
    assert QuarterlyLedger.objects.exists() and Inspection.objects.exists()


def test_every_unit_with_items_has_an_agent_coordinator_and_reviewer(history):
    items = ApprovalItem.objects.filter(is_active=True, jurisdiction__code__in=["500242", "500111"])
    units = set(items.values_list("department_id", flat=True)) | set(
        Unit.objects.filter(kind=Unit.Kind.PARK, jurisdiction__code__in=["500242", "500111"]).values_list(
            "pk", flat=True
        )
    )
    for unit in units:
        for role in (Role.AGENT, Role.COORDINATOR):
            assert role_holders(role, unit_id=unit).exists(), (Unit.objects.get(pk=unit).name, role)
    for department, section in set(items.values_list("department_id", "section_id")):
        reviewers = role_holders(Role.SECTION_REVIEWER, unit_id=department)
        assert (
            reviewers.filter(role_assignments__section_id=section).exists()
            or reviewers.filter(role_assignments__section__isnull=True).exists()
        ), (department, section)


def test_loading_again_adds_nothing(history):
    counts = (ServiceRequest.objects.count(), User.objects.count(), QuarterlyLedger.objects.count())
    load_demo(history=True)
    assert (ServiceRequest.objects.count(), User.objects.count(), QuarterlyLedger.objects.count()) == counts


def _rows(html: str) -> int:
    """Rows of data in the page's tables (not the "nothing here" row, which spans the columns)."""
    bodies = re.findall(r"<tbody.*?</tbody>", html, flags=re.S)
    return sum(len(re.findall(r"<tr\b(?![^>]*colspan)", b)) - b.count("colspan") for b in bodies)


def _projects_counted(html: str) -> int:
    found = re.search(r"共有 (\d+) 个项目", html)
    return int(found.group(1)) if found else 0


def _charted(html: str) -> int:
    """How many of the dashboard's request-state figures are not zero."""
    found = re.search(r'"values": \[([0-9, ]*)\]', html)
    return sum(1 for v in found.group(1).split(",") if v.strip() not in ("", "0")) if found else 0


# Each page, and what proves it shows data: rows of its tables, or the figure it shows instead.
PAGES: list[tuple[str, str, Callable[[str], int]]] = [
    ("yy-coord-zjw", "home", _projects_counted),
    ("yy-coord-zjw", "cases:request_list", _rows),
    ("yy-coord-zjw", "cases:dispatch", _rows),
    ("dz-coord-zjw", "cases:request_list", _rows),
    ("yy-agent", "home", _projects_counted),
    ("yy-agent", "cases:worklist", _rows),
    ("dz-agent", "cases:worklist", _rows),
    ("yy-supervisor", "home", _projects_counted),
    ("yy-supervisor", "cases:request_list", _rows),
    ("yy-supervisor", "oversight:ledger_list", _rows),
    ("yy-supervisor", "oversight:issue_list", _rows),
    ("yy-supervisor", "oversight:inspection_list", lambda html: html.count("完善进度告知机制")),
    ("dz-supervisor", "oversight:dashboard", _charted),
]


@pytest.mark.parametrize(("username", "url_name", "shown"), PAGES)
def test_role_pages_render_with_data(client, history, username, url_name, shown):
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert shown(response.content.decode()) > 0, url_name


def test_history_enterprises_are_marked_as_invented(history):
    names = set(ServiceRequest.objects.values_list("applicant__name", flat=True))
    assert names and all(name.startswith(DEMO_MARK) for name in names)


def test_refusals_are_delivered_but_the_showcase_one(history):
    """Refused items have their refusal decision handed over two working days later; the showcase's stays
    in its agent's 待送达不予许可 queue."""
    refused = CaseItem.objects.filter(state=CaseItem.State.REFUSED)
    assert RefusalNotice.objects.exists()
    assert set(RefusalNotice.objects.values_list("case_item__state", flat=True)) == {CaseItem.State.REFUSED}
    assert refused.filter(refusal_notice__isnull=True).exists()
    for notice in RefusalNotice.objects.select_related("case_item"):
        assert notice.case_item.decided_on is not None
        assert notice.delivered_on > notice.case_item.decided_on
