"""The public landing page: choose a district or county and see its 帮代办专区, the service flow chart and
its catalogue and FAQ links; an unknown or malformed choice answers 404 with the picker; signed-in people
go to their queues. The menu groups (办件/监督/资料) show only what the person may open."""

import pytest
from django.urls import reverse

from daiban.organizations.models import Jurisdiction, ServiceZone, User
from daiban.portal.demo import load_demo


@pytest.fixture
def demo(db):
    people = load_demo()
    dazu = Jurisdiction.objects.get(code="500111")
    ServiceZone.objects.get_or_create(
        jurisdiction=dazu,
        name="大足区政务服务中心帮代办专区",
        defaults={
            "address": "大足区棠香街道五星大道 1 号",
            "hours": "工作日 9:00–17:00",
            "phone": "023-43720000",
        },
    )
    return people


def test_anonymous_visitor_chooses_dazu_and_sees_its_service_zone(client, demo):
    zone = ServiceZone.objects.filter(jurisdiction__code="500111", is_active=True).first()
    assert zone is not None
    response = client.get(reverse("landing"), {"j": "500111"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "大足区帮代办专区" in page
    assert zone.address in page and zone.hours in page and f'href="tel:{zone.phone}"' in page
    assert "/catalogue/?j=500111" in page and "/catalogue/faq/?j=500111" in page
    # the flow chart is text in an ordered list, in order
    flow = page[page.index('class="flow"') :]
    steps = [flow.index(s) for s in ("提交申请", "上门受理", "跟踪催办", "统一送达", "事后评价")]
    assert steps == sorted(steps)
    assert 'aria-current="page"' in page
    # the other county's zone is not shown
    for other in ServiceZone.objects.filter(jurisdiction__code="500242"):
        assert other.address not in page


def test_without_a_choice_the_picker_lists_every_county_and_no_zone(client, demo):
    page = client.get(reverse("landing")).content.decode()
    assert "?j=500111" in page and "?j=500242" in page
    assert "帮代办专区</h2>" not in page and 'id="zone-heading"' not in page
    assert "服务流程" in page


@pytest.mark.parametrize("code", ["999999", "abc", "5001111", "<script>"])
def test_an_unknown_or_malformed_county_answers_404_with_the_picker(client, demo, code):
    response = client.get(reverse("landing"), {"j": code})
    assert response.status_code == 404
    page = response.content.decode()
    assert "本平台没有这个区县" in page and "?j=500111" in page
    assert "<script>" not in page.split("<body", 1)[1].split("</header>", 1)[1]


def test_a_hidden_zone_is_not_shown(client, demo):
    ServiceZone.objects.filter(jurisdiction__code="500111").update(is_active=False)
    page = client.get(reverse("landing"), {"j": "500111"}).content.decode()
    assert "帮代办专区地址尚未公布" in page


def test_signed_in_people_keep_their_queues(client, demo):
    client.force_login(User.objects.get(username="yy-agent"))
    response = client.get(reverse("landing"), {"j": "500111"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_menu_groups_follow_the_roles(client, demo):
    client.force_login(User.objects.get(username="yy-applicant"))
    page = client.get(reverse("home")).content.decode()
    assert 'aria-controls="menu-work"' in page and 'aria-controls="site-nav"' in page
    assert 'id="menu-oversight"' not in page  # an applicant has no 监督 group at all
    assert reverse("oversight:dashboard") not in page
    client.force_login(User.objects.get(username="yy-supervisor"))
    page = client.get(reverse("home")).content.decode()
    assert 'id="menu-oversight"' in page and reverse("oversight:ledger_list") in page


def test_every_page_offers_the_display_modes_and_a_skip_link(client, demo):
    page = client.get(reverse("catalogue:faq")).content.decode()
    assert 'data-display-mode="large-text"' in page and 'data-display-mode="high-contrast"' in page
    assert 'aria-pressed="false"' in page and 'href="#main"' in page and 'id="main"' in page
    assert "common/display.js" in page
