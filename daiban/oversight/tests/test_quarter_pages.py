"""The quarter a ledger or ranking page is about: the last one that ended unless asked for, and a quarter
that cannot exist is answered with what is possible (400 from the query, 404 from the path), never a 500."""

import pytest
from django.urls import reverse

from daiban.notifications.models import Notification
from daiban.organizations.models import Role, Unit
from daiban.oversight.services import submit_ledger
from daiban.workdays.quarters import Quarter

POSSIBLE = "年份须在2000至2100之间，季度须为1至4。"


@pytest.mark.django_db
def test_pages_show_the_last_quarter_that_ended_unless_asked(client, staff, clock):
    clock(2026, 11, 2)
    client.force_login(staff["supervisor"])
    for name in ("ledger_list", "ranking"):
        url = reverse(f"oversight:{name}")
        assert client.get(url).context["quarter"] == Quarter(2026, 3)
        assert "2026年第三季度" in client.get(url).content.decode()
        assert client.get(url, {"year": 2025}).context["quarter"] == Quarter(2025, 3)
        assert client.get(url, {"quarter": 1}).context["quarter"] == Quarter(2026, 1)
        assert client.get(url, {"year": 2024, "quarter": 4}).context["quarter"] == Quarter(2024, 4)
    clock(2027, 1, 5)  # across the year end
    client.force_login(staff["supervisor"])  # the session from November has expired
    assert client.get(reverse("oversight:ledger_list")).context["quarter"] == Quarter(2026, 4)


BAD_QUERIES = [
    {"year": "abc"},
    {"year": "99999"},
    {"year": "1999"},
    {"year": ""},
    {"quarter": "0"},
    {"quarter": "5"},
    {"quarter": "٣"},  # int() would read it as 3
    {"quarter": ""},
    {"year": "2026", "quarter": "3.0"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ledger_list", "ranking", "ledger_export"])
def test_a_quarter_that_cannot_exist_is_a_bad_request(client, staff, clock, name):
    client.force_login(staff["supervisor"])
    url = reverse(f"oversight:{name}")
    for query in BAD_QUERIES:
        response = client.get(url, {"j": "500242", **query})
        assert response.status_code == 400, query
        page = response.content.decode()
        assert POSSIBLE in page and f'href="{url}"' in page


@pytest.mark.django_db
def test_role_is_checked_before_the_quarter(client, staff):
    client.force_login(staff["park_agent"])
    assert client.get(reverse("oversight:ledger_list"), {"quarter": "9"}).status_code == 403
    client.force_login(staff["park_coord"])
    assert client.get(reverse("oversight:ranking"), {"quarter": "9"}).status_code == 403


@pytest.mark.django_db
def test_a_ledger_of_a_quarter_that_cannot_exist_is_not_found(client, youyang, staff, clock):
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    client.force_login(staff["park_coord"])
    for year, number in [(2026, 5), (2026, 0), (99999, 3), (0, 1), (1999, 4)]:  # 99999 and 0 were a 500
        url = reverse("oversight:ledger_detail", args=[park.pk, year, number])
        for response in (client.get(url), client.post(url, {"annotation": "x"})):
            assert response.status_code == 404, (year, number)
            assert POSSIBLE in response.content.decode()
    assert not park.ledgers.exists()


@pytest.mark.django_db
def test_submitted_ledger_knows_its_quarter_and_says_it(quarter, youyang, staff):
    park = Unit.objects.get(jurisdiction=youyang, code="gyyq")
    ledger = submit_ledger(unit=park, quarter=Quarter(2026, 3), annotation="", by=staff["park_coord"])
    assert (ledger.year, ledger.quarter, ledger.period) == (2026, 3, Quarter(2026, 3))
    assert str(ledger).endswith(" 2026Q3")
    told = Notification.objects.get(recipient=staff["supervisor"], verb="ledger.submitted")
    assert "2026年第三季度" in told.title and told.url.endswith("?year=2026&quarter=3")


@pytest.mark.django_db
def test_a_city_supervisor_opens_on_a_district_not_the_empty_city(client, city, youyang, dazu, make_staff):
    """The city itself has no ledger units: the pages open on the first district (by code), and still show
    the one asked for."""
    client.force_login(make_staff(Role.SUPERVISOR, city))
    for name in ("ledger_list", "ranking"):
        url = reverse(f"oversight:{name}")
        assert client.get(url).context["chosen"] == dazu  # 500111 before 500242; the city 500000 skipped
        assert client.get(url, {"j": youyang.code}).context["chosen"] == youyang
        assert client.get(url, {"j": city.code}).context["chosen"] == city  # still there when asked for
