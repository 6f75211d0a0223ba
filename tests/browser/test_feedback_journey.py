"""Issue #6 journey: an applicant asks a question and reads the agent's answer; after delivery it rates the
service 不满意; the rectification appears for the supervisor; a hall manager records the call-back."""

import pytest
from django.utils import timezone

from daiban.cases.services import accept_request, assign_agent
from daiban.cases.tests.chains import deliver_it, file_it
from daiban.feedback.models import Callback, Evaluation, Rectification
from daiban.portal.demo import DEMO_PASSWORD

from .demo_park import demo_park, park_request
from .menu import go_via_menu
from .signin import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "园区工业项目的城市基础设施配套费可以减免吗？"


def sign_in(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}/home/")


def delivered_request():  # type: ignore[no-untyped-def]
    """A park request for the construction permit, handled by the park agent and delivered today."""
    park = demo_park()
    today = timezone.localdate()
    request = park_request(park, ["construction-permit"])
    accept_request(request=request, by=park.coordinator)
    item = assign_agent(item=request.items.get(), agent=park.agent, by=park.coordinator)
    item = file_it(item, park.agent, filed_on=today, ref="500242-SG-0001")
    deliver_it(item, park.agent, park.reviewer, decided_on=today)
    request.refresh_from_db()
    return request, park.agent


def test_question_answer_bad_rating_rectification_and_call_back(live_server, phone, desktop, shoot):
    request, agent = delivered_request()
    base = live_server.url
    assert request.state == "completed"

    # The applicant asks a question on its phone.
    sign_in(phone, base, "yy-applicant")
    phone.click("text=我要咨询")
    phone.select_option("select[name=topic]", "tax_fee")
    phone.fill("textarea[name=question]", QUESTION)
    phone.click("button[name=ask]")
    phone.wait_for_selector("text=咨询已提交")
    question_url = phone.url
    shoot(phone, "feedback-1-question-asked")

    # An agent answers it.
    sign_in(desktop, base, "yy-agent")
    desktop.goto(f"{base}/assistance/consultations/?show=open")
    desktop.click(f"text={QUESTION[:20]}")
    desktop.fill(
        "textarea[name=answer]", "可以。园区内工业项目按县政府减免办法免缴，申报时附营业执照和项目备案证明。"
    )
    desktop.click("button[name=answer_it]")
    desktop.wait_for_selector("text=解答已发送")

    # The applicant reads the answer.
    phone.goto(question_url)
    assert "免缴" in phone.inner_text("#answer")
    shoot(phone, "feedback-2-answer-read")

    # After delivery it rates the park agent 不满意 on efficiency, with a comment.
    phone.goto(f"{base}/requests/{request.pk}/")
    phone.click("text=评价服务")
    form = f"#rate-{agent.pk}"
    prefix = f"a{agent.pk}"
    phone.check(f"{form} input[name='{prefix}-attitude'][value='4']")
    phone.check(f"{form} input[name='{prefix}-efficiency'][value='2']")
    phone.check(f"{form} input[name='{prefix}-integrity'][value='5']")
    phone.click(f"{form} button[name=rate]")
    assert "哪里做得不好" in phone.inner_text("main")  # a bad rating needs a comment
    phone.check(f"{form} input[name='{prefix}-efficiency'][value='2']")
    phone.fill(f"{form} textarea[name='{prefix}-comment']", "材料齐全后仍等了很久才报送，催了几次")
    shoot(phone, "feedback-3-rating-form")
    phone.click(f"{form} button[name=rate]")
    phone.wait_for_selector("text=评价已提交")
    assert Evaluation.objects.get().is_bad
    shoot(phone, "feedback-4-rated")

    # The agent sees the levels, not the comment.
    sign_in(desktop, base, "yy-agent-park")
    desktop.goto(f"{base}/feedback/evaluations/")
    body = desktop.inner_text("main")
    assert "不满意" in body and "催了几次" not in body and "正由工改办核查" in body

    # The supervisor finds the rectification, due in working days, owned by the park's coordinator.
    sign_in(desktop, base, "yy-supervisor")
    go_via_menu(desktop, "整改")
    desktop.click(f"#rectification-{Rectification.objects.get().pk} a")
    main = desktop.inner_text("main")
    assert "催了几次" in main and "整改中" in main and "差评" in main
    shoot(desktop, "feedback-5-rectification-for-supervisor")

    # The hall manager calls the applicant back.
    sign_in(phone, base, "yy-hall")
    go_via_menu(phone, "回访")
    phone.click(f"#callback-{request.pk} >> text=登记回访")
    phone.check("input[name=reached][value=yes]")
    phone.fill("input[name=contact_person]", "张经理")
    phone.select_option("select[name=overall]", "3")
    phone.select_option(f"select[name=rating_{agent.pk}]", "3")
    phone.select_option("select[name=asked_for_money]", "no")
    phone.fill("textarea[name=remarks]", "企业反映报送环节偏慢，其余满意")
    shoot(phone, "feedback-6-call-back-form")
    phone.click("button[name=save]")
    phone.wait_for_selector("text=回访已登记")
    assert "暂无待回访的申请" in phone.inner_text("main")
    shoot(phone, "feedback-7-call-back-recorded")
    callback = Callback.objects.get()
    assert (callback.reached, callback.overall, callback.ratings.get().level) == (True, 3, 3)
