"""ADR 0022 journey: a multi-department request on a township project is accepted item by item, each item
by a coordinator of its own responsible unit — 住建委's on a desktop, 规资局's on a phone. Neither sees a
button for the other's item; the request is accepted once both are decided."""

import pytest

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.cases.services import RequestData, submit_request
from daiban.catalogue.models import ApprovalItem
from daiban.organizations.models import User
from daiban.portal.demo import load_demo
from daiban.projects.models import Project

from .test_intake_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def set_up() -> ServiceRequest:
    load_demo()
    project = Project.objects.get(name="桃花源游客服务中心改建项目")  # in a township of 酉阳
    items = ApprovalItem.objects.filter(
        jurisdiction__code="500242",
        is_active=True,
        code__in=["land-use-planning-permit", "construction-permit"],
    )
    return submit_request(
        project=project,
        data=RequestData(
            mode="proxy", approval_items=list(items), consent=True, free_of_charge_acknowledged=True
        ),
        by=User.objects.get(username="yy-applicant2"),
        channel=ServiceRequest.Channel.ONLINE,
    )


def test_two_coordinators_accept_their_own_items(live_server, desktop, phone, shoot):
    request = set_up()
    base = live_server.url
    permit = request.items.get(approval_item__code="construction-permit")
    land = request.items.get(approval_item__code="land-use-planning-permit")
    assert {permit.responsible_unit.code, land.responsible_unit.code} == {"zjw", "gzj"}

    sign_in(desktop, base, "yy-coord-zjw")
    desktop.goto(f"{base}/requests/{request.pk}/")
    assert desktop.locator(f"#item-{permit.pk} button[name=accept_item]").count() == 1
    assert desktop.locator(f"#item-{land.pk} button[name=accept_item]").count() == 0
    shoot(desktop, "acceptance-01-zjw-sees-its-item")
    desktop.click(f"#item-{permit.pk} button[name=accept_item]")
    desktop.wait_for_selector("text=已受理建筑工程施工许可证核发")
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.SUBMITTED  # 规资局 has not decided yet
    assert desktop.locator("button[name=accept_item]").count() == 0
    shoot(desktop, "acceptance-02-zjw-accepted-one")

    sign_in(phone, base, "yy-multi")  # 规资局's coordinator (and agent)
    phone.goto(f"{base}/requests/{request.pk}/")
    assert phone.locator(f"#item-{permit.pk} button[name=accept_item]").count() == 0
    shoot(phone, "acceptance-03-gzj-phone")
    phone.click(f"#item-{land.pk} button[name=accept_item]")
    phone.wait_for_selector("text=已受理建设用地规划许可证核发")
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.ACCEPTED
    assert set(request.items.values_list("acceptance", flat=True)) == {CaseItem.Acceptance.ACCEPTED}
    assert phone.locator(f"#item-{land.pk} form.assign").count() == 1  # now it assigns its agent
    shoot(phone, "acceptance-04-gzj-accepted-request-accepted-phone")

    sign_in(desktop, base, "yy-applicant2")
    desktop.goto(f"{base}/requests/{request.pk}/")
    assert desktop.locator("button[name=accept_item]").count() == 0
    assert desktop.locator(".acceptance-accepted").count() == 2
    shoot(desktop, "acceptance-05-applicant-sees-both-accepted")
