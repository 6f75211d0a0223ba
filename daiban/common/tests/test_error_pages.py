"""The error pages people meet are the site's Chinese pages, not Django's English defaults: 400, 403, 404,
the CSRF failure and the server error (which renders with no database and no context processors)."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from daiban.common.access import public

CHINESE = re.compile(r"[\u4e00-\u9fff]{4,}")


@public
def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


@public
def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


@public
def missing(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [path("broken/", broken), path("refused/", refused), path("missing/", missing)]


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


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "english"),
    [
        ("/refused/", 403, "403 Forbidden"),
        ("/missing/", 404, "Not Found"),
        ("/no-such-page/", 404, "Not Found"),
    ],
)
def test_refused_and_missing_pages_are_the_chinese_ones(client, url, status, english):
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert english not in page and CHINESE.search(page) and "site.css" in page
