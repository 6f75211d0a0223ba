"""Service levels in the scoped admin: an administrator edits their own jurisdiction's limits; zero,
negative, huge and non-numeric limits are refused with a message, and nothing is saved."""

import pytest
from django.urls import reverse

from daiban.common.models import AuditEntry
from daiban.organizations.models import Role
from daiban.service_levels.models import DEFAULT_DAYS, FIELD_OF, ServiceLevel

pytestmark = pytest.mark.django_db


def form(jurisdiction, **overrides):
    values = {"jurisdiction": str(jurisdiction.pk), "source": "县工改办 2026 年通知", "confirmed": "on"}
    values.update({FIELD_OF[p]: str(d) for p, d in DEFAULT_DAYS.items()})
    values.update(overrides)
    return values


def test_an_administrator_sets_their_levels(client, youyang, make_staff):
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    response = client.post(
        reverse("admin:service_levels_servicelevel_add"), form(youyang, first_visit_days="5")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    level = ServiceLevel.objects.get(jurisdiction=youyang)
    assert level.first_visit_days == 5 and level.confirmed
    assert AuditEntry.objects.filter(verb="servicelevel.added_in_admin").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "时限至少为 1 个工作日"),
        ("-3", "时限至少为 1 个工作日"),
        ("61", "时限最多为 60 个工作日"),
        ("99999", "时限最多为 60 个工作日"),
        ("三", "请输入整数个工作日"),
        ("2.5", "请输入整数个工作日"),
    ],
)
def test_bad_limits_are_refused_in_chinese(client, youyang, make_staff, value, message):
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    response = client.post(
        reverse("admin:service_levels_servicelevel_add"), form(youyang, delivery_days=value)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceLevel.objects.exists()


def test_another_jurisdictions_levels_are_out_of_reach(client, youyang, dazu, make_staff):
    theirs = ServiceLevel.objects.create(jurisdiction=dazu)
    client.force_login(make_staff(Role.ADMINISTRATOR, youyang))
    change = reverse("admin:service_levels_servicelevel_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    response = client.post(reverse("admin:service_levels_servicelevel_add"), form(dazu))
    assert response.status_code == 200  # 大足 is not among the choices
    assert ServiceLevel.objects.count() == 1
