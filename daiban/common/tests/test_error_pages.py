"""The error pages people meet are the site's Chinese pages, not Django's English defaults: 400, 403, 404,
the CSRF failure and the server error (which renders with no database and no context processors)."""

import re

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from daiban.common.access import public

CHINESE = re.compile(r"[\u4e00-\u9fff]{4,}")


@public
def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_the_chinese_page_without_touching_the_database():
    """No `django_db` mark: any query while rendering the page fails the test."""
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器" in page and "Server Error" not in page and CHINESE.search(page)
    assert "site.css" in page  # in the site's style


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_csrf_failure_shows_the_chinese_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "CSRF" not in page and "Forbidden" not in page and "重新" in page and "site.css" in page
