"""Malformed query parameters and URL parts never give a server error: every list, dashboard and detail URL
is fuzzed with a table of bad values — out-of-range and very old dates and years, huge numbers, non-ASCII
digits, text where a number goes — as the persona who can open it. The answer is the page (the value had
no effect), a 400 with a Chinese message, or 404; never 5xx."""

import itertools
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from daiban.organizations.models import Role

BAD_VALUES = [
    "",
    "0",
    "-1",
    "9" * 30,  # larger than any database integer
    "1e309",
    "２０２６",  # fullwidth digits
    "١٢",  # Arabic-Indic digits
    "0001-01-01",
    "1900-01-01",
    "9999-12-31",
    "2026-02-30",
    "２０２６-０１-０１",
    "abc",
    "<script>",
    "\x00",
    "' OR 1=1 --",
]
ONE_AT_A_TIME = ["9" * 30, "0001-01-01", "١٢"]
PARAMS = [
    "page", "j", "from", "to", "unit", "locality", "level", "state", "status", "show", "year", "quarter",
    "q", "category", "target", "bad",
    # the list module's (common/listing.py), the queues', the API's paging and filters
    "sort", "export", "mode", "overdue", "queue", "township", "agent", "rows", "template", "version", "next",
    "cursor", "limit", "updated_since",
]  # fmt: skip
PATH_VALUES = ["0", "9" * 30, "9223372036854775808", "2147483648"]


def _get_urls() -> list[tuple[str, list[str]]]:
    """(route with placeholders, its converter names) for every non-admin URL."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns, prefix):  # type: ignore[no-untyped-def]
        for p in patterns:
            if isinstance(p, URLResolver):
                if "admin" not in str(p.pattern):
                    walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append((prefix + str(p.pattern), re.findall(r"<(?:\w+:)?(\w+)>", str(p.pattern))))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def people(youyang, make_staff, django_user_model):  # type: ignore[no-untyped-def]
    return [
        django_user_model.objects.create_superuser("fuzz-root", password="pw-for-tests-1"),
        make_staff(Role.SUPERVISOR, youyang, "gaiban"),
        make_staff(Role.COORDINATOR, youyang, "gyyq"),
    ]


@pytest.mark.django_db
def test_no_query_parameter_gives_a_server_error(people):
    """Every bad value in all parameters at once, as each person; and the sharpest values alone in each
    parameter as the superuser (so one refused value cannot hide another's error)."""
    urls = [route for route, args in _get_urls() if not args]
    failures: list[str] = []
    for user in people:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        queries = [dict.fromkeys(PARAMS, value) for value in BAD_VALUES]
        if user.is_superuser:
            queries += [{name: value} for name in PARAMS for value in ONE_AT_A_TIME]
        for route, query in itertools.product(urls, queries):
            path = "/" + route
            response = client.get(path, query)
            shown = (
                "&".join(f"{k}={v!r}" for k, v in query.items())
                if len(query) == 1
                else f"all={query['page']!r}"
            )
            if response.status_code >= 500:
                failures.append(f"{user.username} {path}?{shown}: {response.status_code}")
            elif response.status_code == 400 and not re.search(r"[\u4e00-\u9fff]", response.content.decode()):
                failures.append(f"{path}?{shown}: 400 without a Chinese message")
    assert failures == [], "\n".join(failures[:50])


@pytest.mark.django_db
def test_no_url_part_gives_a_server_error(people):
    failures: list[str] = []
    client = Client(raise_request_exception=False)
    client.force_login(people[0])
    for route, args in _get_urls():
        if not args:
            continue
        for value in PATH_VALUES:
            path = "/" + re.sub(r"<(?:\w+:)?\w+>", value, route)
            response = client.get(path)
            if response.status_code >= 500:
                failures.append(f"{path}: {response.status_code}")
            elif response.status_code in (400, 404) and not re.search(
                r"[\u4e00-\u9fff]", response.content.decode()
            ):
                failures.append(f"{path}: {response.status_code} without a Chinese message")
    assert failures == [], "\n".join(failures[:50])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "1900-01-01"}, "请输入 2000-01-01 至"),
        ({"to": "9999-12-31"}, "请输入 2000-01-01 至"),
        ({"from": "２０２６-０１-０１"}, "日期"),
        ({"unit": "２０２６"}, "记录编号"),
        ({"locality": "9" * 30}, "记录编号"),
    ],
)
def test_the_dashboard_refuses_a_bad_filter_with_a_chinese_message(people, query, message):
    client = Client()
    client.force_login(people[1])
    reading = {"unit", "locality"} & set(query)  # read by the list behind a number only
    for path in ["/oversight/dashboard/items/"] + ([] if reading else ["/oversight/dashboard/"]):
        response = client.get(path, query)
        assert response.status_code == 400, path
        assert message in response.content.decode(), path
