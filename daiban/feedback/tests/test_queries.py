"""List pages run the same number of queries however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daiban.cases.models import ServiceRequest
from daiban.feedback.models import Evaluation, Rectification
from daiban.feedback.services import evaluate


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def copy_request(request, n):
    """Clone a completed request `n` times with an evaluation and a rectification each (rows, not flows)."""
    evaluation = Evaluation.objects.get(request=request)
    rectification = Rectification.objects.get(request=request)
    for i in range(n):
        clone = ServiceRequest.objects.get(pk=request.pk)
        clone.pk = None
        clone.number = request.number + 1000 + i  # request numbers are unique per jurisdiction and year
        clone.save()
        evaluation.pk, evaluation.request = None, clone
        evaluation.save()
        rectification.pk, rectification.request, rectification.evaluation = None, clone, evaluation
        rectification.save()


@pytest.mark.django_db
def test_feedback_lists_are_bounded(client, completed, rep, staff, yy_supervisor, hall_manager):
    evaluate(
        request=completed,
        agent=staff["park_agent"],
        by=rep,
        attitude=2,
        efficiency=2,
        integrity=2,
        comment="一直联系不上",
    )
    pages = [
        (yy_supervisor, reverse("feedback:evaluation_list")),
        (yy_supervisor, reverse("feedback:rectification_list")),
        (hall_manager, reverse("feedback:callback_list")),
        (staff["park_agent"], reverse("feedback:evaluation_list")),
    ]
    before = {}
    for user, url in pages:
        client.force_login(user)
        before[(user.pk, url)] = queries(client, url)
    copy_request(completed, 6)
    assert ServiceRequest.objects.filter(state="completed").count() == 7
    for user, url in pages:
        client.force_login(user)
        assert queries(client, url) == before[(user.pk, url)], url
