import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from daiban.common.models import AuditEntry
from daiban.organizations.models import WorkingGroup, WorkingGroupChange, WorkingGroupMember
from daiban.organizations.services import NewMember, file_working_group_change
from daiban.organizations.tests.factories import UserFactory


@pytest.fixture
def group(dazu):
    return WorkingGroup.objects.create(
        jurisdiction=dazu, name="帮代办工作组", office=dazu.units.get(code="jzxk-office")
    )


@pytest.mark.django_db
def test_join_then_replace_keeps_the_history(group, dazu):
    cgj = dazu.units.get(code="cgj")
    first = file_working_group_change(
        group=group,
        joining=NewMember(
            user=UserFactory.create(), position="member", unit=cgj, responsibility="城市管理项目"
        ),
        leaving=None,
        reason="工作组成立",
        filed_on=datetime.date(2025, 3, 1),
        by=None,
    )
    assert first.kind == WorkingGroupChange.Kind.JOINED
    replacement = file_working_group_change(
        group=group,
        joining=NewMember(
            user=UserFactory.create(), position="member", unit=cgj, responsibility="城市管理项目"
        ),
        leaving=first.member_in,
        reason="工作调动",
        filed_on=datetime.date(2026, 6, 15),
        by=None,
    )
    assert replacement.kind == WorkingGroupChange.Kind.REPLACED
    assert first.member_in is not None
    first.member_in.refresh_from_db()
    assert first.member_in.left_on == datetime.date(2026, 6, 15)
    assert WorkingGroupMember.objects.filter(group=group, left_on__isnull=True).count() == 1
    assert AuditEntry.objects.filter(verb="working_group.member_changed").count() == 2


@pytest.mark.django_db
def test_bad_changes_are_refused_and_nothing_is_saved(group, youyang):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cgj = group.jurisdiction.units.get(code="cgj")
    with pytest.raises(ValidationError) as exc:
        file_working_group_change(
            group=group,
            joining=NewMember(user=UserFactory.create(), position="member", unit=cgj),
            leaving=None,
            reason="加入",
            filed_on=tomorrow,
            by=None,
        )
    assert "不能晚于今天" in str(exc.value)
    with pytest.raises(ValidationError):
        file_working_group_change(
            group=group, joining=None, leaving=None, reason="x", filed_on=tomorrow, by=None
        )
    with pytest.raises(ValidationError) as exc:
        file_working_group_change(
            group=group,
            joining=NewMember(
                user=UserFactory.create(), position="member", unit=youyang.units.get(code="zjw")
            ),
            leaving=None,
            reason="加入",
            filed_on=datetime.date(2026, 1, 5),
            by=None,
        )
    assert "其他辖区" in str(exc.value)
    assert not WorkingGroupMember.objects.exists()
    assert not WorkingGroupChange.objects.exists()


# --- 替补 filed by the office on the group's page ----------------------------------------------------------


@pytest.fixture
def seated(group, dazu, make_staff):
    """大足's group with one seat (城管局), the office's staff and a 城管局 colleague to replace it."""
    from daiban.organizations.models import Role

    cgj = dazu.units.get(code="cgj")
    member = make_staff(Role.AGENT, dazu, "cgj")
    first = file_working_group_change(
        group=group,
        joining=NewMember(user=member, position="member", unit=cgj, responsibility="城市管理项目", stage=""),
        leaving=None,
        reason="工作组成立",
        filed_on=datetime.date(2025, 3, 1),
        by=None,
    )
    return {
        "seat": first.member_in,
        "office": make_staff(Role.SUPERVISOR, dazu, "jzxk-office"),
        "colleague": make_staff(Role.AGENT, dazu, "cgj"),
        "admin": make_staff(Role.ADMINISTRATOR, dazu),
    }


@pytest.mark.django_db
def test_the_office_files_a_replacement_and_sees_the_history(client, group, seated):
    from django.urls import reverse

    client.force_login(seated["office"])
    page = client.get(reverse("organizations:working_group_detail", args=[group.pk])).content.decode()
    assert "替补" in page
    response = client.post(
        reverse("organizations:working_group_change", args=[group.pk]),
        {
            "leaving": seated["seat"].pk,
            "replacement": seated["colleague"].pk,
            "filed_on": "2026-11-02",
            "reason": "工作调动",
        },
    )
    assert response.status_code == 302
    change = WorkingGroupChange.objects.get(kind=WorkingGroupChange.Kind.REPLACED)
    assert change.filed_on == datetime.date(2026, 11, 2) and change.filed_by == seated["office"]
    new_seat = change.member_in
    assert new_seat is not None
    assert new_seat.user == seated["colleague"] and new_seat.unit == seated["seat"].unit
    assert new_seat.responsibility == "城市管理项目" and new_seat.joined_on == datetime.date(2026, 11, 2)
    seated["seat"].refresh_from_db()
    assert seated["seat"].left_on == datetime.date(2026, 11, 2)
    entry = AuditEntry.objects.filter(verb="working_group.member_changed").latest("pk")
    assert entry.actor_id == seated["office"].pk
    page = client.get(reverse("organizations:working_group_detail", args=[group.pk])).content.decode()
    assert "2026-11-02" in page and seated["seat"].user.display_name in page and "工作调动" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"filed_on": "2099-01-01"},  # in the future
        {"filed_on": "2024-01-01"},  # before the member joined
        {"filed_on": "不是日期"},
        {"reason": ""},
        {"replacement": "self"},  # the member already in the seat
        {"replacement": "999999"},
        {"leaving": "999999"},
    ],
)
def test_bad_replacements_are_refused_in_chinese_and_nothing_saved(client, group, seated, change):
    from django.urls import reverse

    data = {
        "leaving": seated["seat"].pk,
        "replacement": seated["colleague"].pk,
        "filed_on": "2026-11-02",
        "reason": "工作调动",
    } | change
    if data["replacement"] == "self":
        data["replacement"] = seated["seat"].user_id
    client.force_login(seated["office"])
    response = client.post(reverse("organizations:working_group_change", args=[group.pk]), data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode() or 'role="alert"' in response.content.decode()
    assert not WorkingGroupChange.objects.filter(kind=WorkingGroupChange.Kind.REPLACED).exists()
    seated["seat"].refresh_from_db()
    assert seated["seat"].left_on is None


@pytest.mark.django_db
def test_only_the_office_files_changes(client, group, seated, youyang, make_staff):
    from django.urls import reverse

    from daiban.common.workflow import NotYourStep
    from daiban.organizations.models import Role
    from daiban.organizations.services import file_replacement

    url = reverse("organizations:working_group_change", args=[group.pk])
    data = {
        "leaving": seated["seat"].pk,
        "replacement": seated["colleague"].pk,
        "filed_on": "2026-11-02",
        "reason": "工作调动",
    }
    for person, status in (
        (seated["admin"], 403),
        (seated["colleague"], 403),
        (make_staff(Role.SUPERVISOR, youyang, "gaiban"), 404),
    ):
        client.force_login(person)
        assert client.post(url, data).status_code == status
        page = client.get(reverse("organizations:working_group_detail", args=[group.pk]))
        assert "替补" not in page.content.decode()
    with pytest.raises(NotYourStep):
        file_replacement(
            group=group,
            leaving=seated["seat"],
            replacement=seated["colleague"],
            reason="x",
            filed_on=datetime.date(2026, 11, 2),
            by=seated["admin"],
        )
    assert not WorkingGroupChange.objects.filter(kind=WorkingGroupChange.Kind.REPLACED).exists()
