import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.conftest import data
from daiban.notifications.models import Notification
from daiban.oversight.models import CoordinationIssue
from daiban.oversight.services import raise_issue_from_item


@pytest.fixture
def item(park_project, rep, items, staff):
    request = submit_request(project=park_project, data=data(items), by=rep, channel="online")
    accept_request(request=request, by=staff["park_coord"])
    first = request.items.first()
    assert first is not None
    assign_agent(item=first, agent=staff["park_agent"], by=staff["park_coord"])
    return first


@pytest.mark.django_db
def test_agent_raises_a_problem_to_the_reform_office(client, item, staff, dz_supervisor):
    client.force_login(staff["park_agent"])
    response = client.post(
        reverse("oversight:raise_from_item", args=[item.pk]),
        {
            "title": "规资局与住建委意见不一致",
            "description": "规划条件与消防设计对退距要求冲突，需工改办协调",
        },
    )
    assert response.status_code == 302
    issue = CoordinationIssue.objects.get()
    assert (issue.case_item, issue.jurisdiction.code, issue.status) == (item, "500242", "open")
    assert Notification.objects.filter(recipient=staff["supervisor"], verb="issue.raised").exists()
    client.force_login(staff["supervisor"])
    assert "规资局与住建委意见不一致" in client.get(reverse("oversight:issue_list")).content.decode()
    client.force_login(dz_supervisor)
    assert "规资局与住建委意见不一致" not in client.get(reverse("oversight:issue_list")).content.decode()


@pytest.mark.django_db
def test_only_the_items_agent_raises_and_bad_input_is_refused(client, item, staff):
    with pytest.raises(ValidationError):
        raise_issue_from_item(
            item=item, title="某问题标题", description="足够长的问题描述内容", by=staff["park_agent2"]
        )
    with pytest.raises(ValidationError) as exc:
        raise_issue_from_item(item=item, title="短", description="短", by=staff["park_agent"])
    assert set(exc.value.message_dict) == {"title", "description"}
    client.force_login(staff["park_coord"])  # not an agent
    assert client.post(reverse("oversight:raise_from_item", args=[item.pk]), {}).status_code == 403
    client.force_login(staff["zjw_agent"])  # an agent who cannot see the request
    assert (
        client.post(
            reverse("oversight:raise_from_item", args=[item.pk]), {"title": "x" * 5, "description": "y" * 12}
        ).status_code
        == 404
    )
    assert not CoordinationIssue.objects.exists()
