import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daiban.assistance.services import Question, ask_question


@pytest.mark.django_db
def test_consultation_list_is_bounded(client, rep, park_project, staff):
    def ask(n):
        for i in range(n):
            ask_question(
                applicant=park_project.applicant,
                by=rep,
                data=Question(topic="process", question=f"第{i}个问题：施工许可需要哪些材料？"),
            )

    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("assistance:consultation_list")).status_code == 200
        return len(ctx)

    ask(2)
    few = (count(rep), count(staff["clerk"]))
    ask(8)
    assert (count(rep), count(staff["clerk"])) == few
