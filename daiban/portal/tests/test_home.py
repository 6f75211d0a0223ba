import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from daiban.organizations.models import Role, RoleAssignment, User
from daiban.portal.demo import load_demo

ROLE_LABELS: dict[str, str] = {
    Role.CLERK: "窗口工作人员",
    Role.COORDINATOR: "统筹协调人",
    Role.AGENT: "帮代办专员",
    Role.SECTION_REVIEWER: "职能科室审批人员",
    Role.HALL_MANAGER: "大厅管理人员",
    Role.SUPERVISOR: "监督管理人员",
    Role.ADMINISTRATOR: "系统管理员",
}


@pytest.fixture
def demo(db):
    return load_demo()


@pytest.mark.django_db
def test_every_demo_login_reaches_its_home_page_in_chinese(client, demo):
    usernames = {username for username, _ in demo}
    assert {"yy-applicant", "dz-applicant", "city-supervisor", "admin"} <= usernames
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)  # a demo person for every role
    for username in usernames:
        client.force_login(User.objects.get(username=username))
        response = client.get(reverse("home"))
        text = response.content.decode()
        assert response.status_code == 200, username
        assert "欢迎" in text and "帮代办服务平台" in text
        for assignment in RoleAssignment.objects.filter(user__username=username):
            assert ROLE_LABELS[assignment.role] in text
        if username.endswith("applicant"):
            assert "项目单位" in text


@pytest.mark.django_db
def test_multi_role_person_gets_one_card_per_role(client, demo):
    client.force_login(User.objects.get(username="yy-multi"))
    text = client.get(reverse("home")).content.decode()
    assert text.count('class="card role-card"') == 2


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_copies_only_the_group_structure(demo):
    counts = (User.objects.count(), RoleAssignment.objects.count())
    load_demo()
    assert (User.objects.count(), RoleAssignment.objects.count()) == counts
    names = set(User.objects.values_list("full_name", flat=True))
    assert not names & {
        "陈忠亮",
        "李雪梅",
        "孙朝中",
        "肖春霞",
        "莫麒",
        "袁月",
        "杨连波",
    }  # real names never used


@pytest.mark.django_db
def test_landing_and_login_pages_are_chinese(client):
    assert "社会投资建设项目帮代办服务" in client.get("/").content.decode()
    assert "登录" in client.get(reverse("login")).content.decode()
    assert client.get("/healthz").content == b"ok"


@pytest.mark.django_db
def test_english_is_the_second_locale(client, demo):
    client.force_login(User.objects.get(username="yy-clerk"))
    text = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Welcome" in text and "Window clerk" in text


@pytest.mark.django_db
def test_load_demo_command_prints_the_logins(capsys, settings):
    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "daiban-demo" in out and "yy-clerk" in out and "窗口工作人员" in out


@pytest.mark.django_db
def test_administrators_are_told_when_next_years_holidays_are_missing(client, demo, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 22))
    client.force_login(User.objects.get(username="yy-admin"))
    assert "2027年的节假日安排尚未录入" in client.get(reverse("home")).content.decode()
    client.force_login(User.objects.get(username="yy-agent"))
    assert "尚未录入" not in client.get(reverse("home")).content.decode()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2025, 11, 22))
    client.force_login(User.objects.get(username="yy-admin"))
    assert "尚未录入" not in client.get(reverse("home")).content.decode()
