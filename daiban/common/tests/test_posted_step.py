import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from daiban.common.forms import posted_step


class NoteForm(forms.Form):
    note = forms.CharField(max_length=5, error_messages={"max_length": "最多5个字。"})


@pytest.fixture
def request_():
    request = RequestFactory().post("/")
    request.session = SessionBase()  # in memory: FallbackStorage only reads and writes keys
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)  # messages, as in a real request
    return request


def said(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_a_bad_field_never_reaches_the_service(request_):
    calls: list[dict[str, str]] = []
    assert posted_step(request_, NoteForm({"note": "太长的一段说明"}), calls.append, "已保存。") is False
    assert calls == [] and said(request_) == [("error", "最多5个字。")]


def test_the_services_refusal_is_said_and_success_is_said(request_):
    def refuse(data):
        raise ValidationError("已经办结，不能再修改。")

    assert posted_step(request_, NoteForm({"note": "好"}), refuse, "已保存。") is False
    calls: list[dict[str, str]] = []
    assert posted_step(request_, NoteForm({"note": "好"}), calls.append, "已保存。") is True
    assert calls == [{"note": "好"}]
    assert said(request_) == [("error", "已经办结，不能再修改。"), ("success", "已保存。")]
