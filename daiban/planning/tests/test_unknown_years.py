"""Issue #15, dead end: a plan made in December crossed into a year whose holidays are not entered and
the page was blank. It is now planned on weekdays there and says so (staff: how to fix; applicant: a
short caveat)."""

import datetime as dt

import pytest
from django.urls import reverse

from daiban.cases.models import ServiceRequest
from daiban.planning.selectors import plan_for_request
from daiban.workdays.engine import CalendarYearUnknown, WorkCalendar
from daiban.workdays.services import seed_calendar_from_library

D = dt.date


@pytest.fixture
def december(submitted):
    seed_calendar_from_library()  # knows years up to 2026
    ServiceRequest.objects.filter(pk=submitted.pk).update(
        submitted_at=dt.datetime(2026, 12, 28, 2, tzinfo=dt.UTC)
    )
    submitted.refresh_from_db()
    return submitted


def test_unknown_years_count_weekdays_and_known_ones_keep_their_holidays():
    calendar = WorkCalendar([2026], holidays=[D(2026, 10, 1)], makeup_workdays=[D(2026, 10, 10)])
    with pytest.raises(CalendarYearUnknown):
        calendar.is_working_day(D(2027, 1, 1))
    wider = calendar.assuming_weekdays_through(2027)
    assert wider.years == {2026, 2027}
    assert wider.is_working_day(D(2027, 1, 1))  # a Friday: no holidays are known for 2027
    assert not wider.is_working_day(D(2027, 1, 2))  # a Saturday
    assert not wider.is_working_day(D(2026, 10, 1)) and wider.is_working_day(D(2026, 10, 10))


@pytest.mark.django_db
def test_a_december_plan_runs_into_next_year_and_says_so(client, december, rep, staff):
    plan = plan_for_request(december)
    assert plan.assumed_years == [2027] and plan.finish_on.year == 2027
    url = reverse("planning:request_plan", args=[december.pk])
    client.force_login(staff["park_coord"])
    html = client.get(url).content.decode()
    assert "2027" in html and "管理员" in html and 'class="errors"' not in html
    client.force_login(rep)
    html = client.get(url).content.decode()
    assert "暂定" in html and "管理员" not in html
    pdf = client.get(reverse("planning:request_plan_pdf", args=[december.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_a_plan_in_a_year_before_any_known_one_is_still_refused_with_a_reason(client, december, staff):
    ServiceRequest.objects.filter(pk=december.pk).update(
        submitted_at=dt.datetime(2003, 6, 2, 2, tzinfo=dt.UTC)
    )
    december.refresh_from_db()
    with pytest.raises(CalendarYearUnknown):
        plan_for_request(december)
    client.force_login(staff["park_coord"])
    response = client.get(reverse("planning:request_plan", args=[december.pk]))
    assert response.status_code == 200 and "2003" in response.content.decode()
