import datetime as dt

import pytest
from django.urls import reverse

from daiban.workdays.services import seed_calendar_from_library


@pytest.mark.django_db
def test_catalogue_is_published_by_jurisdiction(client, youyang, dazu):
    response = client.get(reverse("catalogue:item_list"), {"j": "500111"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "大足区" in text and "区经信委" in text
    assert "立项用地规划许可" in text and "竣工验收" in text
    detail = client.get(reverse("catalogue:item_detail", args=["500111", "first-real-estate-registration"]))
    assert "不动产登记费" in detail.content.decode()
    assert client.get(reverse("catalogue:item_detail", args=["500111", "nope"])).status_code == 404


@pytest.mark.django_db
def test_staff_see_their_own_catalogue_by_default(client, dz_supervisor, youyang):
    client.force_login(dz_supervisor)
    text = client.get(reverse("catalogue:item_list")).content.decode()
    assert "区经信委" in text
    assert "县发展改革委" not in text


@pytest.mark.django_db
def test_catalogue_page_query_count_is_bounded(client, youyang, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get(reverse("catalogue:item_list"), {"j": "500242"})


@pytest.mark.django_db
def test_item_guide_shows_the_deadline_if_accepted_today(client, youyang, monkeypatch):
    seed_calendar_from_library()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 9, 29))
    text = client.get(
        reverse("catalogue:item_detail", args=["500242", "construction-permit"])
    ).content.decode()
    # 3 working days: 9-30, then the National Day week, 10-8 and 10-9.
    assert "2026-09-29 受理，应于 2026-10-09 前办结" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sgxk", ["建筑工程施工许可证核发"]),
        ("消防", ["特殊建设工程消防设计审查", "特殊建设工程消防验收"]),
        ("不动产登记申请书", ["不动产首次登记"]),
    ],
)
def test_catalogue_search_in_chinese_and_pinyin_initials(client, youyang, query, expected):
    response = client.get(reverse("catalogue:item_list"), {"j": "500242", "q": query}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "<html" not in text
    for name in expected:
        assert name in text
    assert text.count("<tr>") - 0 >= len(expected)
    assert "企业投资项目备案</a>" not in text


@pytest.mark.django_db
def test_catalogue_search_without_match_says_so(client, youyang):
    text = client.get(reverse("catalogue:item_list"), {"j": "500242", "q": "zzzz"}).content.decode()
    assert "没有匹配的事项" in text
