"""Every URL must carry an explicit permission rule. These tests fail if one is added without a rule."""

import sys
import types

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from daiban.common.access import find_unruled_urls, public


def test_every_url_has_a_permission_rule():
    assert find_unruled_urls() == []


def _unruled_view(request):
    return HttpResponse("secret")


@public
def _ruled_view(request):
    return HttpResponse("ok")


@pytest.fixture
def urlconf_missing_a_rule():
    module = types.ModuleType("daiban_test_urls_missing_rule")
    vars(module)["urlpatterns"] = [path("ok/", _ruled_view), path("forgot/", _unruled_view)]
    sys.modules[module.__name__] = module
    yield module.__name__
    del sys.modules[module.__name__]


def test_a_url_without_rule_is_reported(urlconf_missing_a_rule):
    missing = find_unruled_urls(urlconf_missing_a_rule)
    assert len(missing) == 1
    assert missing[0].startswith("forgot/")


@pytest.mark.django_db
def test_a_url_without_rule_is_refused_at_run_time(client, urlconf_missing_a_rule):
    with override_settings(ROOT_URLCONF=urlconf_missing_a_rule):
        assert client.get("/ok/").status_code == 200
        response = client.get("/forgot/")
    assert response.status_code == 403
    assert b"secret" not in response.content
