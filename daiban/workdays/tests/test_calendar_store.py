import datetime as dt

import pytest
from django.urls import reverse

from daiban.common.models import AuditEntry
from daiban.workdays.engine import CalendarYearUnknown
from daiban.workdays.models import CalendarDay, CalendarYear
from daiban.workdays.selectors import calendar_for, calendars_for, missing_next_year
from daiban.workdays.services import seed_calendar_from_library

D = dt.date


@pytest.fixture
def seeded(db):
    return seed_calendar_from_library()


def test_seeding_stores_the_library_years_once(seeded):
    assert seeded[0] == 2004
    assert seeded[-1] == 2026
    day = CalendarDay.objects.get(date=D(2026, 10, 10))
    assert day.kind == CalendarDay.Kind.MAKEUP_WORKDAY
    assert day.name == "国庆节调休上班"
    assert CalendarDay.objects.get(date=D(2026, 2, 17)).name == "春节"
    assert seed_calendar_from_library() == []
    assert AuditEntry.objects.filter(verb="calendar.year_seeded").count() == len(seeded)


def test_stored_calendar_matches_the_notices(seeded):
    cal = calendar_for()
    assert cal.deadline(D(2026, 9, 29), 5) == D(2026, 10, 12)
    assert cal.is_working_day(D(2026, 2, 14))


def test_next_computation_uses_a_year_the_platform_operator_adds(seeded, client, django_user_model):
    with pytest.raises(CalendarYearUnknown):
        calendar_for().deadline(D(2026, 12, 28), 10)
    admin = django_user_model.objects.create_superuser("caladmin", password="pw-12345678")
    client.force_login(admin)
    url = reverse("admin:workdays_calendaryear_add")
    response = client.post(
        url,
        {
            "year": "2027",
            "jurisdiction_code": "",
            "notice": "国务院办公厅关于2027年部分节假日安排的通知",
            "days-TOTAL_FORMS": "2",
            "days-INITIAL_FORMS": "0",
            "days-0-date": "2027-01-01",
            "days-0-kind": "holiday",
            "days-0-name": "元旦",
            "days-1-date": "2027-01-04",
            "days-1-kind": "holiday",
            "days-1-name": "元旦调休",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    year = CalendarYear.objects.get(year=2027)
    assert year.source == CalendarYear.Source.ADMIN
    # 12-29, 12-30, 12-31, (1-1 off), (1-4 off), 1-5 … : ten working days end on 2027-01-13
    assert calendar_for().deadline(D(2026, 12, 28), 10) == D(2027, 1, 13)
    assert AuditEntry.objects.filter(verb="calendaryear.added_in_admin").exists()


def test_a_day_outside_its_year_is_refused_in_the_admin(seeded, client, django_user_model):
    admin = django_user_model.objects.create_superuser("caladmin2", password="pw-12345678")
    client.force_login(admin)
    response = client.post(
        reverse("admin:workdays_calendaryear_add"),
        {
            "year": "2027",
            "jurisdiction_code": "",
            "notice": "",
            "days-TOTAL_FORMS": "1",
            "days-INITIAL_FORMS": "0",
            "days-0-date": "2028-01-01",
            "days-0-kind": "holiday",
            "days-0-name": "元旦",
        },
    )
    assert response.status_code == 200
    assert "日期必须在该日历年度内" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_administrators_are_warned_when_next_year_is_missing(seeded, client, django_user_model):
    assert missing_next_year(D(2026, 11, 22)) == 2027
    assert missing_next_year(D(2025, 11, 22)) is None
    admin = django_user_model.objects.create_superuser("caladmin3", password="pw-12345678")
    client.force_login(admin)
    response = client.get(reverse("admin:workdays_calendaryear_changelist"))
    assert "2027" in response.content.decode()
    assert "尚未录入" in response.content.decode()


def test_people_outside_administration_cannot_edit_the_calendar(seeded, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("plain", password="pw-12345678"))
    assert client.get(reverse("admin:workdays_calendaryear_changelist")).status_code == 302


def test_a_local_day_overrides_the_national_schedule(seeded):
    local = CalendarYear.objects.create(year=2026, jurisdiction_code="500242", notice="县里临时调整（示例）")
    CalendarDay.objects.create(
        calendar_year=local, date=D(2026, 11, 23), kind=CalendarDay.Kind.HOLIDAY, name="示例"
    )
    assert calendar_for().is_working_day(D(2026, 11, 23))
    assert not calendar_for("500242").is_working_day(D(2026, 11, 23))
    assert calendar_for("500111").is_working_day(D(2026, 11, 23))


def test_calendars_of_many_jurisdictions_with_one_freshness_query(seeded, django_assert_num_queries):
    codes = {"500242", "500111", ""}
    calendars_for(codes)  # built and kept
    with django_assert_num_queries(1):
        calendars = calendars_for(codes)
    assert all(calendars[c].is_working_day(D(2026, 11, 23)) for c in codes)
    # A local edit reaches that jurisdiction only, on the very next call.
    local = CalendarYear.objects.create(year=2026, jurisdiction_code="500242", notice="县里临时调整（示例）")
    CalendarDay.objects.create(
        calendar_year=local, date=D(2026, 11, 23), kind=CalendarDay.Kind.HOLIDAY, name="示例"
    )
    calendars = calendars_for(codes)
    assert not calendars["500242"].is_working_day(D(2026, 11, 23))
    assert calendars["500111"].is_working_day(D(2026, 11, 23)) and calendars[""].is_working_day(
        D(2026, 11, 23)
    )
