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
