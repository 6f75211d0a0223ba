import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from daiban.cases import services as steps
from daiban.cases.deadlines import item_clocks
from daiban.cases.models import CaseItem, ClockStop, Delivery, ItemMaterial
from daiban.cases.reminders import sweep_deadlines
from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.chains import file_it, receive_all
from daiban.cases.workflows import ITEM
from daiban.notifications.models import Notification
from daiban.organizations.models import Role
from daiban.workdays.services import seed_calendar_from_library

from .conftest import data

D = dt.date
S = CaseItem.State


@pytest.fixture
def reviewer(youyang, make_staff):
    return make_staff(Role.SECTION_REVIEWER, youyang, "zjw", section_code="spk")


@pytest.fixture
def permit(park_project, rep, items, staff, reviewer):
    """The construction permit of an accepted park request, its agent assigned; submitted 2026-09-01."""
    seed_calendar_from_library()
    request = submit_request(project=park_project, data=data(items), by=rep, channel="online")
    type(request).objects.filter(pk=request.pk).update(submitted_at=dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC))
    accept_request(request=request, by=staff["park_coord"])
    for item in request.items.all():
        assign_agent(item=item, agent=staff["park_agent"], by=staff["park_coord"])
    return request.items.get(approval_item__code="construction-permit")


def fresh(item):
    return CaseItem.objects.get(pk=item.pk)


def to_filed(item, agent, ref, filed_on):
    return file_it(item, agent, filed_on=filed_on, ref=ref)


@pytest.mark.django_db
def test_the_whole_chain_with_a_correction_round(permit, staff, reviewer, rep):
    agent = staff["park_agent"]
    item = steps.start_collecting(item=permit, by=agent, expected_version=permit.version)
    receive_all(item, agent)
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    item = steps.file_item(
        item=item,
        external_ref="500242-2026-88801",
        filed_on=D(2026, 9, 28),
        by=agent,
        expected_version=item.version,
    )
    # 3 working days from Monday 9-28: 9-29, 9-30, then the National Day week, 10-8.
    assert item_clocks([fresh(item)], D(2026, 9, 29))[item.pk].deadline_on == D(2026, 10, 8)
    item = steps.start_review(item=item, by=reviewer, expected_version=item.version)
    item = steps.request_correction(
        item=item, on=D(2026, 9, 30), note="补充施工合同", by=reviewer, expected_version=item.version
    )
    clock = item_clocks([fresh(item)], D(2026, 10, 9))[item.pk]
    assert clock.level == "stopped"
    assert "补正" in clock.label
    item = steps.resubmit(item=item, on=D(2026, 10, 9), by=agent, expected_version=item.version)
    # The stop 9-30…10-9 holds three working days (9-30, 10-8, 10-9): 9-29, make-up Saturday 10-10, 10-12.
    clock = item_clocks([fresh(item)], D(2026, 10, 10))[item.pk]
    assert (clock.deadline_on, clock.level) == (D(2026, 10, 12), "due_soon")
    item = steps.approve(item=item, decided_on=D(2026, 10, 12), by=reviewer, expected_version=item.version)
    assert item_clocks([fresh(item)], D(2026, 11, 1))[item.pk].level == "done"
    item = steps.pick_up(item=item, on=D(2026, 10, 13), by=agent, expected_version=item.version)
    item = steps.deliver(
        item=item,
        method="post",
        delivered_on=D(2026, 10, 14),
        carrier="中国邮政EMS",
        tracking_number="EA123456789CN",
        by=agent,
        expected_version=item.version,
    )
    assert item.state == S.DELIVERED
    assert Delivery.objects.get(case_item=item).tracking_number == "EA123456789CN"
    verbs = list(item.request.timeline.filter(case_item=item).values_list("verb", flat=True))
    assert verbs[-8:] == [
        "item.materials_completed",
        "item.filed",
        "item.review_started",
        "item.correction_requested",
        "item.resubmitted",
        "item.approved",
        "item.picked_up",
        "item.delivered",
    ]
    told = set(Notification.objects.filter(recipient=rep).values_list("verb", flat=True))
    assert {"item.filed", "item.correction_requested", "item.approved", "item.delivered"} <= told


@pytest.mark.django_db
def test_special_procedures_stop_the_clock(permit, staff, reviewer):
    agent = staff["park_agent"]
    item = steps.start_collecting(item=permit, by=agent, expected_version=0 + permit.version)
    receive_all(item, agent)
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    item = steps.file_item(
        item=item,
        external_ref="RCPT-000123",
        filed_on=D(2026, 11, 2),
        by=agent,
        expected_version=item.version,
    )
    assert item_clocks([fresh(item)], D(2026, 11, 2))[item.pk].deadline_on == D(2026, 11, 5)
    stop = steps.start_special_procedure(
        item=item, kind="expert_review", start_on=D(2026, 11, 3), note="", by=reviewer
    )
    with pytest.raises(ValidationError):
        steps.approve(
            item=fresh(item), decided_on=D(2026, 11, 4), by=reviewer, expected_version=fresh(item).version
        )
    # One stop at a time: a correction while the expert review runs is refused, not a second stop.
    with pytest.raises(ValidationError, match="计时暂停"):
        steps.request_correction(
            item=fresh(item),
            on=D(2026, 11, 4),
            note="补充图纸",
            by=reviewer,
            expected_version=fresh(item).version,
        )
    with pytest.raises(ValidationError, match="计时暂停"):
        steps.start_special_procedure(
            item=item, kind="hearing", start_on=D(2026, 11, 4), note="", by=reviewer
        )
    assert ClockStop.objects.filter(case_item=item, end_on__isnull=True).count() == 1
    # The database refuses a second open stop even if a path forgot to check.
    with pytest.raises(IntegrityError), transaction.atomic():
        ClockStop.objects.create(case_item=item, kind="hearing", start_on=D(2026, 11, 4))
    steps.end_special_procedure(stop=stop, end_on=D(2026, 11, 6), by=reviewer)
    with pytest.raises(ValidationError, match="已于2026-11-06结束"):
        steps.end_special_procedure(stop=stop, end_on=D(2026, 11, 9), by=reviewer)
    # 11-3…11-6 (four working days) do not count: 11-9, 11-10 and then 11-5 becomes 11-11.
    assert item_clocks([fresh(item)], D(2026, 11, 9))[item.pk].deadline_on == D(2026, 11, 11)


@pytest.mark.django_db
def test_materials_rules_for_deficient_acceptance(permit, staff):
    agent = staff["park_agent"]
    item = steps.start_collecting(item=permit, by=agent, expected_version=permit.version)
    lines = {line.material.is_key: line for line in item.checklist.select_related("material")}
    with pytest.raises(ValidationError) as exc:
        steps.update_checklist_line(
            line=lines[True], status="promised", promised_on=D(2030, 1, 1), note="", by=agent
        )
    assert "关键材料" in str(exc.value)
    with pytest.raises(ValidationError):
        steps.update_checklist_line(line=lines[False], status="promised", promised_on=None, note="", by=agent)
    with pytest.raises(ValidationError) as exc:
        steps.mark_ready(item=item, by=agent, expected_version=item.version)
    assert "关键材料" in str(exc.value)
    for line in item.checklist.select_related("material"):
        status = "received" if line.material.is_key else "promised"
        steps.update_checklist_line(
            line=line, status=status, promised_on=D(2030, 1, 1), note="承诺书已签", by=agent
        )
    assert ItemMaterial.objects.filter(case_item=item, status="promised").exists()
    assert steps.mark_ready(item=fresh(item), by=agent, expected_version=fresh(item).version).state == S.READY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ref", "filed_on", "field"),
    [
        ("12", D(2026, 11, 2), "external_ref"),
        ("含中文的编号123", D(2026, 11, 2), "external_ref"),
        ("RCPT-000123", D(2099, 1, 1), "filed_on"),
        ("RCPT-000123", D(2026, 8, 1), "filed_on"),
    ],
)
def test_bad_filings_change_nothing(permit, staff, ref, filed_on, field):
    agent = staff["park_agent"]
    item = steps.start_collecting(item=permit, by=agent, expected_version=permit.version)
    receive_all(item, agent)
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    with pytest.raises(ValidationError) as exc:
        steps.file_item(
            item=item, external_ref=ref, filed_on=filed_on, by=agent, expected_version=item.version
        )
    assert field in exc.value.message_dict
    after = fresh(item)
    assert (after.state, after.filed_on, after.version) == (S.READY, None, item.version)


@pytest.mark.django_db
def test_two_people_saving_at_once_do_not_overwrite(permit, staff):
    agent = staff["park_agent"]
    version = permit.version
    steps.start_collecting(item=permit, by=agent, expected_version=version)
    with pytest.raises(ValidationError) as exc:
        steps.start_collecting(item=permit, by=agent, expected_version=version)  # a second tab, same page
    assert "不能" in str(exc.value) or "刷新" in str(exc.value)
    stale = CaseItem.objects.get(pk=permit.pk)
    stale_version = stale.version
    receive_all(stale, agent)
    steps.mark_ready(item=stale, by=agent, expected_version=stale_version)
    stale.state = S.COLLECTING  # what the other tab still believes
    with pytest.raises(ValidationError) as exc:
        steps.mark_ready(item=stale, by=agent, expected_version=stale_version)
    assert fresh(permit).state == S.READY


@pytest.mark.django_db
def test_only_the_right_people_record_each_step(permit, staff, reviewer, youyang, make_staff):
    other_agent = staff["park_agent2"]
    with pytest.raises(ValidationError):
        steps.start_collecting(item=permit, by=other_agent, expected_version=permit.version)
    other_reviewer = make_staff(Role.SECTION_REVIEWER, youyang, "gzj", section_code="ghk")
    agent = staff["park_agent"]
    item = to_filed(permit, agent, "RCPT-000777", D(2026, 11, 2))
    for wrong in (other_reviewer, agent, staff["park_coord"]):
        with pytest.raises(ValidationError):
            steps.approve(item=item, decided_on=D(2026, 11, 3), by=wrong, expected_version=item.version)
    assert fresh(item).state == S.FILED


@pytest.mark.django_db
def test_delivery_rules(permit, staff, reviewer):
    agent = staff["park_agent"]
    item = to_filed(permit, agent, "RCPT-000778", D(2026, 11, 2))
    with pytest.raises(ValidationError) as exc:  # a delivery before pick-up
        steps.deliver(
            item=item,
            method="in_person",
            delivered_on=D(2026, 11, 3),
            receiver="王五",
            by=agent,
            expected_version=item.version,
        )
    assert "不能" in str(exc.value)
    item = steps.approve(item=item, decided_on=D(2026, 11, 3), by=reviewer, expected_version=item.version)
    with pytest.raises(ValidationError):
        steps.pick_up(
            item=item, on=D(2026, 11, 2), by=agent, expected_version=item.version
        )  # before the decision
    item = steps.pick_up(item=item, on=D(2026, 11, 4), by=agent, expected_version=item.version)
    incomplete: list[dict[str, Any]] = [
        {"method": "post", "carrier": "EMS", "tracking_number": "x"},
        {"method": "in_person"},
        {"method": "in_person", "receiver": "王五", "delivered_on": D(2026, 11, 3)},
    ]
    for kwargs in incomplete:
        with pytest.raises(ValidationError):
            steps.deliver(
                item=item,
                by=agent,
                expected_version=item.version,
                **{"delivered_on": D(2026, 11, 5), **kwargs},
            )
    assert not Delivery.objects.exists()
    steps.deliver(
        item=item,
        method="e_certificate",
        delivered_on=D(2026, 11, 5),
        by=agent,
        expected_version=item.version,
    )
    assert fresh(item).state == S.DELIVERED


CASES = [(action, state) for action in ITEM.actions for state in S.values]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), CASES)
def test_every_item_move(permit, staff, reviewer, action, state):
    CaseItem.objects.filter(pk=permit.pk).update(state=state)
    item = fresh(permit)
    by_agent = ITEM.move(action).actor.name in {"agent", "agent_or_assisted_applicant"}
    actor = staff["park_agent"] if by_agent else reviewer
    target = ITEM.target(action, state)
    if target is None:
        with pytest.raises(ValidationError):
            ITEM.apply(item, action, by=actor, expected_version=item.version)
        assert fresh(permit).state == state
    else:
        moved = ITEM.apply(ITEM.lock(item), action, by=actor, expected_version=item.version)
        assert moved.state == target
        assert fresh(permit).version == item.version + 1


@pytest.mark.django_db
def test_item_pages_and_steps(client, permit, staff, reviewer, dz_supervisor):
    url = reverse("cases:item_detail", args=[permit.request_id, permit.pk])
    client.force_login(staff["park_agent"])
    page = client.get(url).content.decode()
    assert "开始收集材料" in page and "计时自受理申报时开始" in page
    client.post(
        reverse("cases:item_step", args=[permit.request_id, permit.pk, "start_collecting"]),
        {"version": permit.version},
    )
    assert fresh(permit).state == S.COLLECTING
    # A stale version posted from an old page is refused with a message, nothing changes.
    response = client.post(
        reverse("cases:item_step", args=[permit.request_id, permit.pk, "mark_ready"]),
        {"version": 0},
        follow=True,
    )
    assert fresh(permit).state == S.COLLECTING
    assert "不能" in response.content.decode() or "刷新" in response.content.decode()
    client.force_login(reviewer)  # the department's reviewer sees the request
    assert client.get(url).status_code == 200
    client.force_login(dz_supervisor)
    assert client.get(url).status_code == 404
    client.force_login(staff["zjw_agent"])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("cases:item_step", args=[permit.request_id, permit.pk, "nonsense"]), {}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_clock_stop_rows_are_kept(permit, staff, reviewer):
    agent = staff["park_agent"]
    item = to_filed(permit, agent, "RCPT-000779", D(2026, 11, 2))
    steps.request_correction(
        item=item, on=D(2026, 11, 3), note="补充材料", by=reviewer, expected_version=item.version
    )
    stop = ClockStop.objects.get(case_item=item)
    assert (stop.kind, stop.start_on, stop.end_on) == ("correction", D(2026, 11, 3), None)


@pytest.mark.django_db
def test_delivery_receipt_pdf(client, permit, staff, reviewer, rep, dz_supervisor):
    import io

    from pypdf import PdfReader

    agent = staff["park_agent"]
    url = reverse("cases:delivery_receipt", args=[permit.request_id, permit.pk])
    client.force_login(agent)
    assert client.get(url).status_code == 404  # nothing to serve yet
    item = to_filed(permit, agent, "RCPT-556677", D(2026, 11, 2))
    item = steps.approve(item=item, decided_on=D(2026, 11, 3), by=reviewer, expected_version=item.version)
    item = steps.pick_up(item=item, on=D(2026, 11, 4), by=agent, expected_version=item.version)
    steps.deliver(
        item=item,
        method="in_person",
        delivered_on=D(2026, 11, 5),
        receiver="向美玲",
        by=agent,
        expected_version=item.version,
    )
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "送达回证" in text and "RCPT-556677" in text and "建筑工程施工许可证" in text and "向美玲" in text
    client.force_login(rep)
    assert client.get(url).status_code == 200
    client.force_login(dz_supervisor)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_in_person_delivery_keeps_the_signature_photo(permit, staff, reviewer, client):
    """Kept with the delivery (the item page links it as proof), not listed among the materials the
    applicant handed over on the request page."""
    from daiban.cases.models import RequestDocument

    from .conftest import PNG, pdf

    agent = staff["park_agent"]
    item = to_filed(permit, agent, "RCPT-556688", D(2026, 11, 2))
    item = steps.approve(item=item, decided_on=D(2026, 11, 3), by=reviewer, expected_version=item.version)
    item = steps.pick_up(item=item, on=D(2026, 11, 4), by=agent, expected_version=item.version)
    with pytest.raises(ValidationError) as exc:
        steps.deliver(
            item=item,
            method="in_person",
            delivered_on=D(2026, 11, 5),
            receiver="向美玲",
            by=agent,
            expected_version=item.version,
            signature=pdf("签收.pdf"),
        )
    assert "signature" in exc.value.message_dict
    assert fresh(item).state == S.PICKED_UP
    steps.deliver(
        item=item,
        method="in_person",
        delivered_on=D(2026, 11, 5),
        receiver="向美玲",
        by=agent,
        expected_version=item.version,
        signature=pdf("签收.png", PNG),
    )
    photo = RequestDocument.objects.get(kind="signature")
    assert photo.case_item == item
    client.force_login(agent)
    download = reverse("cases:document_download", args=[item.request_id, photo.pk])
    request_page = client.get(reverse("cases:request_detail", args=[item.request_id])).content.decode()
    assert download not in request_page and "签收.png" not in request_page
    item_page = client.get(reverse("cases:item_detail", args=[item.request_id, item.pk])).content.decode()
    assert download in item_page and "签收照片" in item_page


@pytest.mark.django_db
def test_stored_deadline_follows_filing_and_stops(permit, staff, reviewer, clock):
    """`due_on` is what item_clocks derives: set at filing, cleared while a stop is open, moved when it
    ends."""
    agent = staff["park_agent"]
    clock(2026, 10, 9)
    item = to_filed(permit, agent, "500242-2026-88801", D(2026, 9, 28))
    assert (
        fresh(item).due_on
        == D(2026, 10, 8)
        == item_clocks([fresh(item)], D(2026, 9, 29))[item.pk].deadline_on
    )
    item = steps.request_correction(
        item=item, on=D(2026, 9, 30), note="补充施工合同", by=reviewer, expected_version=item.version
    )
    assert fresh(item).due_on is None
    item = steps.resubmit(item=item, on=D(2026, 10, 9), by=agent, expected_version=item.version)
    assert fresh(item).due_on == D(2026, 10, 12)
    # A stale value (say, the holiday schedule was edited) is put right by the daily sweep.
    CaseItem.objects.filter(pk=item.pk).update(due_on=D(2026, 10, 1))
    assert sweep_deadlines(today=D(2026, 10, 10))["refreshed"] == 1
    assert fresh(item).due_on == D(2026, 10, 12)
