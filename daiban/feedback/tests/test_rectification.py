import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.common.tests.workflow_table import table_mismatches
from daiban.feedback.models import Rectification, RectificationNote
from daiban.feedback.selectors import rectifications_visible_to
from daiban.feedback.services import (
    close_rectification,
    evaluate,
    file_complaint,
    reassign_rectification,
    report_rectification,
    send_back_rectification,
)
from daiban.feedback.workflows import RECTIFICATION
from daiban.notifications.models import Notification
from daiban.organizations.tests.factories import UserFactory

R = Rectification.Status
BAD: dict[str, Any] = {"attitude": 1, "efficiency": 2, "integrity": 3, "comment": "多次联系不上专员"}


@pytest.fixture
def rectification(completed, rep, staff):
    evaluate(request=completed, agent=staff["park_agent2"], by=rep, **BAD)
    return Rectification.objects.get()


def test_graph_is_readable_on_one_screen():
    assert RECTIFICATION.transitions() == {
        "report": {R.OPEN: R.REPORTED},
        "send_back": {R.REPORTED: R.OPEN},
        "close": {R.REPORTED: R.CLOSED},
    }
    actors = {m.action: m.actor.name for m in RECTIFICATION.moves}
    assert actors == {"report": "owner", "send_back": "supervisor", "close": "supervisor"}


SERVICES = {
    "report": report_rectification,
    "send_back": send_back_rectification,
    "close": close_rectification,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), [(a, s) for a in RECTIFICATION.actions for s in R.values])
def test_every_move(rectification, staff, yy_supervisor, action, status):
    Rectification.objects.filter(pk=rectification.pk).update(status=status)
    actor = staff["park_coord"] if RECTIFICATION.move(action).actor.name == "owner" else yy_supervisor
    kwargs = {"note": "已约谈专员并重新办理" if action == "report" else "核实情况属实"}
    target = RECTIFICATION.target(action, status)
    if target is None:
        with pytest.raises(ValidationError, match="现在不能"):
            SERVICES[action](rectification=rectification, by=actor, **kwargs)
        assert Rectification.objects.get().status == status
        assert not RectificationNote.objects.exists()
    else:
        SERVICES[action](rectification=rectification, by=actor, **kwargs)
        assert Rectification.objects.get().status == target
        assert RectificationNote.objects.get().verb == RECTIFICATION.move(action).verb


@pytest.mark.django_db
def test_supervisor_sees_it_through_to_verified_closure(rectification, staff, yy_supervisor, dz_supervisor):
    owner = staff["park_coord"]
    with pytest.raises(ValidationError, match="不由您"):
        report_rectification(rectification=rectification, note="已整改完毕", by=staff["park_agent2"])
    with pytest.raises(ValidationError, match="请写明"):
        report_rectification(rectification=rectification, note="  ", by=owner)
    report_rectification(rectification=rectification, note="已约谈专员，重新上门说明", by=owner)
    assert Notification.objects.filter(recipient=yy_supervisor, verb="rectification.reported").exists()
    with pytest.raises(ValidationError, match="不由您"):
        close_rectification(rectification=rectification, note="", by=dz_supervisor)
    send_back_rectification(rectification=rectification, note="未见企业确认", by=yy_supervisor)
    report_rectification(rectification=rectification, note="企业已书面确认满意", by=owner)
    closed = close_rectification(rectification=rectification, note="", by=yy_supervisor)
    assert (closed.status, closed.closed_by) == (R.CLOSED, yy_supervisor)
    assert [n.verb for n in closed.notes.all()] == [
        "rectification.reported",
        "rectification.sent_back",
        "rectification.reported",
        "rectification.closed",
    ]
    assert Notification.objects.filter(recipient=owner, verb="rectification.closed").exists()


@pytest.mark.django_db
def test_reassigning_the_owner(rectification, staff, yy_supervisor):
    with pytest.raises(ValidationError, match="监管人员"):
        reassign_rectification(rectification=rectification, owner=staff["zjw_coord"], by=staff["park_coord"])
    with pytest.raises(ValidationError, match="不能是涉及的专员"):
        reassign_rectification(rectification=rectification, owner=staff["park_agent2"], by=yy_supervisor)
    reassign_rectification(rectification=rectification, owner=staff["zjw_coord"], by=yy_supervisor)
    assert Rectification.objects.get().owner == staff["zjw_coord"]


@pytest.mark.django_db
def test_complaints(completed, dispatched, rep, staff, dz_project):
    with pytest.raises(ValidationError, match="至少10个字"):
        file_complaint(request=completed, text="太慢", agent=None, by=rep)
    with pytest.raises(ValidationError, match="没有办理"):
        file_complaint(
            request=completed, text="办理过程中多次被要求补充无关材料", agent=staff["zjw_agent"], by=rep
        )
    with pytest.raises(ValidationError, match="只能投诉本企业"):
        file_complaint(
            request=completed, text="办理过程中多次被要求补充无关材料", agent=None, by=UserFactory.create()
        )
    assert not Rectification.objects.exists()
    r = file_complaint(request=completed, text="办理过程中多次被要求补充无关材料", agent=None, by=rep)
    assert (r.source, r.owner, r.raised_by) == ("complaint", staff["park_coord"], rep)


@pytest.mark.django_db
def test_who_sees_which_rectification(client, rectification, rep, staff, yy_supervisor, dz_supervisor):
    assert set(rectifications_visible_to(yy_supervisor)) == {rectification}
    assert set(rectifications_visible_to(staff["park_coord"])) == {rectification}
    assert set(rectifications_visible_to(rep)) == {rectification}
    for nobody in (dz_supervisor, staff["park_agent2"], staff["zjw_coord"], staff["clerk"]):
        assert not rectifications_visible_to(nobody).exists()
    url = reverse("feedback:rectification_detail", args=[rectification.pk])
    client.force_login(dz_supervisor)
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("feedback:rectification_step", args=[rectification.pk, "close"])).status_code
        == 404
    )
    client.force_login(staff["park_agent2"])
    assert client.get(url).status_code == 404
    client.force_login(staff["park_coord"])
    page = client.get(url).content.decode()
    assert "多次联系不上专员" in page and "报告整改情况" in page and "核验销号" not in page
    client.post(
        reverse("feedback:rectification_step", args=[rectification.pk, "report"]),
        {"note": "已约谈专员并回访企业"},
    )
    assert Rectification.objects.get().status == R.REPORTED
    # The owner cannot close its own rectification, even by posting the step.
    client.post(reverse("feedback:rectification_step", args=[rectification.pk, "close"]), {"note": ""})
    assert Rectification.objects.get().status == R.REPORTED
    client.force_login(yy_supervisor)
    assert "核验销号" in client.get(url).content.decode()
    client.post(reverse("feedback:rectification_step", args=[rectification.pk, "close"]), {"note": "核实"})
    assert Rectification.objects.get().status == R.CLOSED
    listing = client.get(reverse("feedback:rectification_list")).content.decode()
    assert completed_name(rectification) in listing


def completed_name(rectification):
    return rectification.request.project.name


@pytest.mark.django_db
def test_deadline_unknown_when_the_calendar_ends(completed, rep, staff, clock):
    clock(2026, 12, 28)
    evaluate(request=completed, agent=staff["park_agent"], by=rep, **BAD)
    assert Rectification.objects.get().due_on is None
    assert dt.date(2026, 12, 28)  # 10 working days run into 2027, whose holidays are not known yet


@pytest.mark.django_db
def test_every_rectification_move_by_every_person(rectification, staff, yy_supervisor, dz_supervisor, rep):
    """Each (action, status, person) is allowed exactly when the table says so, through the same check
    the pages and the services use."""
    people = {
        "owner": rectification.owner,
        "supervisor": yy_supervisor,
        "other county's supervisor": dz_supervisor,
        "agent concerned": staff["park_agent2"],
        "applicant": rep,
    }
    acts_as = {"owner": {"owner"}, "supervisor": {"supervisor"}}
    assert rectification.owner == staff["park_coord"]
    assert table_mismatches(RECTIFICATION, rectification, people, acts_as) == []
