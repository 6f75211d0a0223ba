import datetime as dt

import pytest
from django.urls import reverse

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.planning.selectors import plan_for_request
from daiban.workdays.services import seed_calendar_from_library

D = dt.date


@pytest.fixture
def planned(submitted):
    seed_calendar_from_library()
    ServiceRequest.objects.filter(pk=submitted.pk).update(
        submitted_at=dt.datetime(2026, 9, 14, 2, tzinfo=dt.UTC)
    )
    submitted.refresh_from_db()
    return submitted


@pytest.mark.django_db
def test_plan_from_the_requests_items(planned):
    plan = plan_for_request(planned)
    rows = {r.key: r for r in plan.rows}
    assert (rows["project-filing"].start, rows["project-filing"].finish) == (D(2026, 9, 14), D(2026, 9, 15))
    assert (rows["land-use-planning-permit"].start, rows["land-use-planning-permit"].finish) == (
        D(2026, 9, 16),
        D(2026, 9, 22),
    )
    assert rows["construction-permit"].finish == D(
        2026, 9, 17
    )  # its prerequisites are not part of this request
    assert plan.permit_on == D(2026, 9, 17) and not plan.permit_slips
    assert (
        rows["land-use-planning-permit"].critical
        and "企业投资项目备案" in rows["land-use-planning-permit"].reasons[0]
    )


@pytest.mark.django_db
def test_plan_versus_actual_warns_when_the_permit_slips(client, planned, rep, dz_supervisor):
    CaseItem.objects.filter(request=planned, approval_item__code="construction-permit").update(
        filed_on=D(2026, 9, 14), decided_on=D(2026, 9, 24)
    )
    plan = plan_for_request(planned)
    assert plan.permit_on == D(2026, 9, 24) and plan.permit_slips
    row = next(r for r in plan.rows if r.key == "construction-permit")
    assert (
        row.deviation_days == 6 and row.actual
    )  # 9-18, 9-20 (make-up Sunday), 9-21, 9-22, 9-23, 9-24 after 9-17
    client.force_login(rep)
    page = client.get(reverse("planning:request_plan", args=[planned.pk])).content.decode()
    assert "2026-09-24" in page and "晚于计划" in page and "关键" in page
    client.force_login(dz_supervisor)
    assert client.get(reverse("planning:request_plan", args=[planned.pk])).status_code == 404


@pytest.mark.django_db
def test_gantt_bars_stay_inside_the_chart(planned):
    for row in plan_for_request(planned).rows:
        assert row.offset_pct >= 0 and row.offset_pct + row.width_pct <= 100.01


@pytest.mark.django_db
def test_task_list_and_printable_plan(client, planned, rep, staff):
    import io

    from pypdf import PdfReader

    plan = plan_for_request(planned)
    assert plan.tasks and plan.tasks[0].due_on == D(2026, 9, 14)
    assert {t.item for t in plan.tasks} == {r.name for r in plan.rows}
    client.force_login(rep)
    page = client.get(reverse("planning:request_plan", args=[planned.pk])).content.decode()
    assert "任务清单" in page and "建设用地规划许可申请表" in page
    response = client.get(reverse("planning:request_plan_pdf", args=[planned.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "预排工期" in text and "2026-09-22" in text
    client.force_login(staff["zjw_coord"])
    assert client.get(reverse("planning:request_plan_pdf", args=[planned.pk])).status_code == 404


@pytest.fixture
def dispatched(planned, staff):
    from daiban.cases.services import accept_request, assign_agent

    accept_request(request=planned, by=staff["park_coord"])
    for item in planned.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    planned.refresh_from_db()
    return planned


@pytest.mark.django_db
def test_milestones_and_the_agents_dates_move_the_plan(client, dispatched, staff, rep):
    from daiban.planning.models import PlanMilestone

    agent = staff["park_agent"]
    land = dispatched.items.get(approval_item__code="land-use-planning-permit")
    permit = dispatched.items.get(approval_item__code="construction-permit")
    client.force_login(agent)
    client.post(
        reverse("planning:milestone_add", args=[dispatched.pk]),
        {"name": "土地出让合同签订", "on": "2026-09-29", "after_days": 0, "before_items": [land.pk]},
    )
    rows = {r.key: r for r in plan_for_request(dispatched).rows}
    assert rows["land-use-planning-permit"].start == D(2026, 9, 29)  # waits for the contract
    assert "土地出让合同签订" in rows["land-use-planning-permit"].reasons[0]
    # The agent plans the permit on 9-15 — possible, no prerequisite in this request binds it.
    client.post(reverse("planning:item_adjust", args=[dispatched.pk, permit.pk]), {"start_on": "2026-09-21"})
    rows = {r.key: r for r in plan_for_request(dispatched).rows}
    assert rows["construction-permit"].start == D(2026, 9, 21) and not rows["construction-permit"].violations
    # Planning the land-use permit before its filing prerequisite is decided is kept but flagged.
    client.post(reverse("planning:item_adjust", args=[dispatched.pk, land.pk]), {"start_on": "2026-09-14"})
    rows = {r.key: r for r in plan_for_request(dispatched).rows}
    assert rows["land-use-planning-permit"].violations
    page = client.get(reverse("planning:request_plan", args=[dispatched.pk])).content.decode()
    assert "冲突" in page
    # The applicant reads the plan but cannot edit it; another agent gets nothing.
    client.force_login(rep)
    assert client.post(reverse("planning:milestone_add", args=[dispatched.pk]), {}).status_code == 403
    client.force_login(staff["zjw_agent"])
    assert (
        client.post(
            reverse("planning:item_adjust", args=[dispatched.pk, land.pk]), {"start_on": ""}
        ).status_code
        == 404
    )
    assert PlanMilestone.objects.count() == 1


@pytest.mark.django_db
def test_bad_milestones_are_refused(dispatched, staff):
    from django.core.exceptions import ValidationError

    from daiban.planning.models import PlanMilestone
    from daiban.planning.services import add_milestone

    permit = dispatched.items.get(approval_item__code="construction-permit")
    for kwargs in (
        {"name": "", "on": D(2026, 10, 1), "after_item": None, "before_items": [permit]},
        {"name": "施工期", "on": D(2026, 10, 1), "after_item": permit, "before_items": [permit]},
        {"name": "施工期", "on": None, "after_item": permit, "before_items": [permit]},
        {"name": "施工期", "on": D(2026, 10, 1), "after_item": None, "before_items": []},
    ):
        with pytest.raises(ValidationError):
            add_milestone(request=dispatched, after_days=0, by=staff["park_agent"], **kwargs)
    with pytest.raises(ValidationError):
        add_milestone(
            request=dispatched,
            name="x",
            on=D(2026, 10, 1),
            after_item=None,
            after_days=0,
            before_items=[permit],
            by=staff["park_coord"],
        )
    assert not PlanMilestone.objects.exists()


@pytest.mark.django_db
def test_early_warning_when_the_permit_date_slips(dispatched, staff, rep):
    from daiban.notifications.models import Notification
    from daiban.planning.warnings import warn_permit_slips

    assert warn_permit_slips()["sent"] == 0  # on plan
    # Filing the permit late (9-24 instead of 9-14) moves the prediction past the plan.
    CaseItem.objects.filter(request=dispatched, approval_item__code="construction-permit").update(
        filed_on=D(2026, 9, 24)
    )
    assert warn_permit_slips()["sent"] == 1
    assert warn_permit_slips()["sent"] == 0  # the same prediction is not announced twice
    assert Notification.objects.filter(verb="plan.permit_slips", recipient=staff["park_agent"]).count() == 1
    assert Notification.objects.filter(verb="plan.permit_slips", recipient=rep).count() == 1
