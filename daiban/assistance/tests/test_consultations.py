import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.assistance.models import Consultation
from daiban.assistance.selectors import consultations_visible_to
from daiban.assistance.services import (
    Question,
    answer_consultation,
    ask_question,
    publish_faq,
    record_question,
)
from daiban.catalogue.models import FaqEntry
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.notifications.models import Notification
from daiban.organizations.models import Role
from daiban.organizations.tests.factories import UserFactory

TAX_QUESTION = "园区项目的城市基础设施配套费可以减免吗？需要提供哪些材料？"


@pytest.fixture
def desk_agent(youyang, make_staff):
    """An agent on duty in the service centre's 帮代办 zone."""
    return make_staff(Role.AGENT, youyang, "zwzx")


@pytest.mark.django_db
def test_applicant_asks_an_agent_answers_and_it_becomes_a_faq(
    rep, park_project, items, desk_agent, staff, clock
):
    applicant = park_project.applicant
    consultation = ask_question(
        applicant=applicant,
        data=Question(topic="tax_fee", question=TAX_QUESTION, approval_items=items[:1]),
        by=rep,
    )
    assert (consultation.channel, consultation.asker_name, consultation.jurisdiction) == (
        "online",
        rep.display_name,
        applicant.jurisdiction,
    )
    assert Notification.objects.filter(recipient=desk_agent, verb="consultation.asked").exists()
    clock(2026, 11, 2, hour=13)
    answered = answer_consultation(
        consultation=consultation, answer="可以，按渝府发〔2020〕号文件减免。", by=desk_agent
    )
    assert answered.hours_to_answer == 3.0
    assert Notification.objects.filter(recipient=rep, verb="consultation.answered").exists()
    with pytest.raises(ValidationError, match="已经解答"):
        answer_consultation(consultation=consultation, answer="再答一次可以吗", by=staff["park_agent"])
    entry = publish_faq(
        consultation=consultation,
        question="园区项目可以减免城市基础设施配套费吗？",
        answer=answered.answer,
        by=desk_agent,
    )
    assert list(entry.approval_items.all()) == items[:1]
    with pytest.raises(ValidationError, match="已在常见问题"):
        publish_faq(
            consultation=consultation,
            question="园区项目可以减免城市基础设施配套费吗？",
            answer="可以的",
            by=desk_agent,
        )
    assert FaqEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("question", "message"),
    [
        (Question(topic="tax_fee", question="能减免吗"), "至少10个字"),
        (Question(topic="weather", question=TAX_QUESTION), "咨询类别"),
        (Question(topic="tax_fee", question="问" * 2001), "2000"),
    ],
)
def test_bad_questions_are_refused(rep, park_project, question, message):
    with pytest.raises(ValidationError) as exc:
        ask_question(applicant=park_project.applicant, data=question, by=rep)
    assert message in " ".join(exc.value.messages)
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_staff_record_phone_questions_and_only_agents_answer(
    youyang, dazu, staff, desk_agent, make_staff, park_project, rep
):
    q = Question(topic="process", question="施工许可和消防设计审查可以同时申请吗？")
    with pytest.raises(ValidationError, match="手机号"):
        record_question(
            jurisdiction=youyang,
            channel="phone",
            asker_name="李先生",
            asker_mobile="1380000",
            applicant=None,
            data=q,
            by=staff["clerk"],
        )
    dz_clerk = make_staff(Role.CLERK, dazu, "zwzx")
    with pytest.raises(ValidationError, match="不负责"):
        record_question(
            jurisdiction=youyang,
            channel="phone",
            asker_name="李先生",
            asker_mobile="",
            applicant=None,
            data=q,
            by=dz_clerk,
        )
    assert not Consultation.objects.exists()
    c = record_question(
        jurisdiction=youyang,
        channel="phone",
        asker_name="李先生",
        asker_mobile="13800001234",
        applicant=park_project.applicant,
        data=q,
        by=staff["clerk"],
    )
    for not_an_agent in (staff["clerk"], staff["park_coord"], rep):
        with pytest.raises(ValidationError, match="只有本区县的帮代办专员"):
            answer_consultation(consultation=c, answer="可以并联办理。", by=not_an_agent)
    with pytest.raises(ValidationError, match="至少5个字"):
        answer_consultation(consultation=c, answer="可以", by=desk_agent)
    answer_consultation(consultation=c, answer="可以并联办理。", by=desk_agent)
    # The applicant it was recorded for sees it; the clerk who recorded it is told of the answer.
    assert consultations_visible_to(rep).filter(pk=c.pk).exists()
    assert Notification.objects.filter(recipient=staff["clerk"], verb="consultation.answered").exists()


@pytest.mark.django_db
def test_who_sees_which_consultation(client, rep, park_project, staff, dz_supervisor, desk_agent):
    mine = ask_question(
        applicant=park_project.applicant, data=Question(topic="tax_fee", question=TAX_QUESTION), by=rep
    )
    stranger = UserFactory.create()
    assert set(consultations_visible_to(rep)) == {mine}
    assert set(consultations_visible_to(desk_agent)) == {mine}
    assert not consultations_visible_to(stranger).exists()
    assert not consultations_visible_to(dz_supervisor).exists()
    url = reverse("assistance:consultation_detail", args=[mine.pk])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(dz_supervisor)
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("assistance:consultation_answer", args=[mine.pk]), {"answer": "答复内容很长"}
        ).status_code
        == 404
    )
    # The applicant sees its question but gets no answer form, and cannot answer by posting.
    client.force_login(rep)
    page = client.get(url).content.decode()
    assert TAX_QUESTION in page and "发送解答" not in page
    assert (
        client.post(
            reverse("assistance:consultation_answer", args=[mine.pk]), {"answer": "自问自答可以吗"}
        ).status_code
        == 403
    )
    mine.refresh_from_db()
    assert mine.answered_at is None
    # Wrong role for the staff-only recording page.
    assert client.get(reverse("assistance:consultation_record")).status_code == 403
    client.force_login(desk_agent)
    assert client.get(reverse("assistance:consultation_create")).status_code == 403
    response = client.post(
        reverse("assistance:consultation_answer", args=[mine.pk]), {"answer": "可以减免，带上营业执照。"}
    )
    assert response.status_code == 302
    client.force_login(rep)
    assert "可以减免" in client.get(url).content.decode()


@pytest.mark.django_db
def test_question_pages(client, rep, park_project, staff, items):
    client.force_login(rep)
    url = reverse("assistance:consultation_create")
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"applicant": park_project.applicant.pk, "topic": "tax_fee", "question": "能减免吗"}
    )
    assert bad.status_code == 400 and not Consultation.objects.exists()
    ok = client.post(
        url,
        {
            "applicant": park_project.applicant.pk,
            "topic": "tax_fee",
            "question": TAX_QUESTION,
            "approval_items": [items[0].pk],
        },
    )
    assert ok.status_code == 302
    assert list(Consultation.objects.get().approval_items.all()) == [items[0]]
    client.force_login(staff["clerk"])
    url = reverse("assistance:consultation_record")
    form = {
        "jurisdiction": park_project.jurisdiction_id,
        "channel": "window",
        "asker_name": "王女士",
        "asker_mobile": "13900001111",
        "uscc": "91500000000000000X",
        "topic": "process",
        "question": TAX_QUESTION,
    }
    bad = client.post(url, form)
    assert bad.status_code == 400 and Consultation.objects.count() == 1
    assert client.post(url, form | {"uscc": ""}).status_code == 302
    assert Consultation.objects.filter(channel="window", recorded_by=staff["clerk"]).count() == 1


@pytest.mark.django_db
def test_the_askers_mobile_is_masked_and_a_reveal_is_recorded(
    client, youyang, staff, desk_agent, dz_supervisor
):
    """个人信息保护 on the consultation path: the mask and the recorded reveal of a request's contact."""
    q = Question(topic="process", question="施工许可和消防设计审查可以同时申请吗？")
    c = record_question(
        jurisdiction=youyang,
        channel="phone",
        asker_name="李先生",
        asker_mobile="13800001234",
        applicant=None,
        data=q,
        by=staff["clerk"],
    )
    client.force_login(desk_agent)
    page = client.get(reverse("assistance:consultation_detail", args=[c.pk])).content.decode()
    assert "138****1234" in page and "13800001234" not in page
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSONAL_DATA_VIEWED).exists()
    shown = client.get(reverse("assistance:consultation_contact", args=[c.pk]))
    assert shown.status_code == 200 and "13800001234" in shown.content.decode()
    read = AuditEntry.objects.get(verb=AuditVerb.PERSONAL_DATA_VIEWED)
    assert (read.actor, read.target_id, read.after) == (desk_agent, str(c.pk), {"field": "asker_mobile"})
    client.force_login(dz_supervisor)  # the other county: neither the number nor a record
    assert client.get(reverse("assistance:consultation_contact", args=[c.pk])).status_code == 404
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSONAL_DATA_VIEWED).count() == 1
