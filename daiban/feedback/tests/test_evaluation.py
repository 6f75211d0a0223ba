from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.cases.models import ServiceRequest
from daiban.feedback.models import Evaluation, Rectification
from daiban.feedback.selectors import comment_visible, evaluations_visible_to
from daiban.feedback.services import evaluate, release_evaluation
from daiban.notifications.models import Notification
from daiban.organizations.tests.factories import UserFactory
from daiban.projects.models import ApplicantRepresentative

GOOD: dict[str, Any] = {"attitude": 5, "efficiency": 4, "integrity": 5, "comment": ""}
BAD: dict[str, Any] = {
    "attitude": 4,
    "efficiency": 2,
    "integrity": 5,
    "comment": "施工许可拖了很久，催了三次才回复",
}


def nothing_saved():
    return not Evaluation.objects.exists() and not Rectification.objects.exists()


@pytest.mark.django_db
def test_applicant_rates_each_agent_once(completed, rep, staff):
    agent = staff["park_agent"]
    evaluation = evaluate(request=completed, agent=agent, by=rep, **GOOD)
    assert (evaluation.levels, evaluation.is_bad) == ((5, 4, 5), False)
    assert Notification.objects.filter(recipient=agent, verb="evaluation.given").count() == 1
    assert not Rectification.objects.exists()
    with pytest.raises(ValidationError, match="已经评价"):
        evaluate(request=completed, agent=agent, by=rep, **BAD)
    assert Evaluation.objects.get().levels == (5, 4, 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attitude": 0}, "五个等级"),
        ({"integrity": "很好"}, "五个等级"),
        ({"efficiency": 6}, "五个等级"),
        ({"efficiency": 1, "comment": "   "}, "哪里做得不好"),
        ({"comment": "很" * 501}, "500"),
    ],
)
def test_bad_ratings_input_is_refused(completed, rep, staff, change, message):
    with pytest.raises(ValidationError) as exc:
        evaluate(request=completed, agent=staff["park_agent"], by=rep, **(GOOD | change))
    assert message in " ".join(exc.value.messages)
    assert nothing_saved()


@pytest.mark.django_db
def test_rating_before_delivery_or_not_yours_is_refused(dispatched, completed, rep, staff, dz_project):
    stranger = UserFactory.create()
    ApplicantRepresentative.objects.create(applicant=dz_project.applicant, user=stranger)
    with pytest.raises(ValidationError, match="只能评价本企业"):
        evaluate(request=completed, agent=staff["park_agent"], by=stranger, **GOOD)
    with pytest.raises(ValidationError, match="没有办理"):
        evaluate(request=completed, agent=staff["zjw_agent"], by=rep, **GOOD)
    ServiceRequest.objects.filter(pk=completed.pk).update(state="dispatched")
    with pytest.raises(ValidationError, match="送达后才能评价"):
        evaluate(request=completed, agent=staff["park_agent"], by=rep, **GOOD)
    assert nothing_saved()


@pytest.mark.django_db
def test_bad_rating_opens_a_rectification_and_hides_the_comment_from_the_agent(
    completed, rep, staff, yy_supervisor, clock
):
    agent = staff["park_agent2"]
    evaluation = evaluate(request=completed, agent=agent, by=rep, **BAD)
    assert evaluation.is_bad and evaluation.hidden_from_agent
    rectification = Rectification.objects.get()
    assert (rectification.source, rectification.agent, rectification.status) == ("evaluation", agent, "open")
    # Owned by the park's coordinator (the unit the agent worked for), due 10 working days after 11-05.
    assert rectification.owner == staff["park_coord"]
    assert str(rectification.due_on) == "2026-11-19"
    assert "催了三次" in rectification.problem
    assert Notification.objects.filter(recipient=yy_supervisor, verb="rectification.opened").exists()
    assert Notification.objects.filter(recipient=staff["park_coord"], verb="rectification.opened").exists()
    # The agent sees the levels but neither the comment nor whose request it was, not even from a notice.
    assert not Notification.objects.filter(recipient=agent, verb="evaluation.given").exists()
    assert not comment_visible(agent, evaluation)
    assert comment_visible(yy_supervisor, evaluation)
    assert comment_visible(rep, evaluation)
    with pytest.raises(ValidationError):
        release_evaluation(evaluation=evaluation, by=agent)
    release_evaluation(evaluation=evaluation, by=yy_supervisor)
    evaluation.refresh_from_db()
    assert comment_visible(agent, evaluation)
    assert Notification.objects.filter(recipient=agent, verb="evaluation.released").count() == 1
    with pytest.raises(ValidationError, match="已经"):
        release_evaluation(evaluation=evaluation, by=yy_supervisor)


@pytest.mark.django_db
def test_evaluation_pages(client, completed, rep, staff, yy_supervisor, dz_supervisor):
    url = reverse("feedback:evaluate", args=[completed.pk])
    agent = staff["park_agent2"]
    prefix = f"a{agent.pk}"
    # Wrong role, then wrong owner.
    client.force_login(staff["park_agent"])
    assert client.get(url).status_code == 403
    other = UserFactory.create()
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(rep)
    page = client.get(url)
    assert page.status_code == 200 and agent.display_name in page.content.decode()
    bad_post = {
        "agent": agent.pk,
        f"{prefix}-attitude": "2",
        f"{prefix}-efficiency": "2",
        f"{prefix}-integrity": "3",
    }
    response = client.post(url, bad_post)
    assert response.status_code == 400 and "哪里做得不好" in response.content.decode()
    assert nothing_saved()
    response = client.post(url, bad_post | {f"{prefix}-comment": "态度生硬，材料退回两次"})
    assert response.status_code == 302
    assert Evaluation.objects.get().is_bad
    again = client.post(url, bad_post | {f"{prefix}-comment": "改一下"})
    assert again.status_code == 400 and "不能修改" in again.content.decode()
    assert Evaluation.objects.count() == 1

    # The agent's list withholds the comment and the request; the supervisor's shows both.
    client.force_login(agent)
    body = client.get(reverse("feedback:evaluation_list")).content.decode()
    assert "态度生硬" not in body and completed.project.name not in body
    assert "改办审查" in body or "工改办" in body
    client.force_login(yy_supervisor)
    body = client.get(reverse("feedback:evaluation_list")).content.decode()
    assert "态度生硬" in body
    evaluation = Evaluation.objects.get()
    # Another jurisdiction's supervisor sees nothing and cannot release.
    client.force_login(dz_supervisor)
    assert "态度生硬" not in client.get(reverse("feedback:evaluation_list")).content.decode()
    assert client.post(reverse("feedback:evaluation_release", args=[evaluation.pk])).status_code == 404
    assert client.post(reverse("feedback:evaluation_release", args=[evaluation.pk])).status_code == 404
    client.force_login(agent)
    assert client.post(reverse("feedback:evaluation_release", args=[evaluation.pk])).status_code == 403
    client.force_login(yy_supervisor)
    client.post(reverse("feedback:evaluation_release", args=[evaluation.pk]))
    client.force_login(agent)
    assert "态度生硬" in client.get(reverse("feedback:evaluation_list")).content.decode()


@pytest.mark.django_db
def test_evaluations_visible_to_each_role(completed, rep, staff, yy_supervisor, dz_supervisor, hall_manager):
    evaluate(request=completed, agent=staff["park_agent"], by=rep, **GOOD)
    evaluate(request=completed, agent=staff["park_agent2"], by=rep, **BAD)
    assert evaluations_visible_to(rep).count() == 2
    assert evaluations_visible_to(yy_supervisor).count() == 2
    assert evaluations_visible_to(hall_manager).count() == 2
    assert evaluations_visible_to(staff["park_agent"]).count() == 1
    assert evaluations_visible_to(dz_supervisor).count() == 0
    assert evaluations_visible_to(staff["zjw_agent"]).count() == 0
    assert evaluations_visible_to(staff["clerk"]).count() == 0
