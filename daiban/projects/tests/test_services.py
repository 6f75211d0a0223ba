from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from daiban.common.models import AuditEntry
from daiban.organizations.models import User
from daiban.projects.models import Applicant, ApplicantRepresentative, Project
from daiban.projects.services import ApplicantData, ProjectData, create_project, sign_up_applicant
from daiban.projects.tests.factories import ApplicantFactory, valid_uscc


def project_data(location, **overrides):
    values = {
        "name": "新厂房",
        "project_code": "2026-500242-47-03-000777",
        "kind": "new",
        "location": location,
        "investment_amount": Decimal(100),
        "land_area": Decimal(10),
        "floor_area": Decimal(20),
    }
    values.update(overrides)
    return ProjectData(**values)


@pytest.mark.django_db
def test_create_project_is_audited(youyang):
    applicant = ApplicantFactory.create(jurisdiction=youyang)
    project = create_project(applicant=applicant, data=project_data(youyang.units.get(code="gyyq")), by=None)
    assert project.in_park
    entry = AuditEntry.objects.get(verb="project.created")
    assert entry.after is not None
    assert entry.after["project_code"] == "2026-500242-47-03-000777"
    assert entry.jurisdiction_code == "500242"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"project_code": "2026-500242-47-01-000777"}, "project_code"),
        ({"investment_amount": Decimal(-1)}, "investment_amount"),
        ({"kind": "demolition"}, "kind"),
    ],
)
def test_bad_project_saves_nothing(youyang, overrides, field):
    applicant = ApplicantFactory.create(jurisdiction=youyang)
    with pytest.raises(ValidationError) as exc:
        create_project(
            applicant=applicant, data=project_data(youyang.units.get(code="gyyq"), **overrides), by=None
        )
    assert field in exc.value.message_dict
    assert not Project.objects.exists()
    assert not AuditEntry.objects.filter(verb="project.created").exists()


@pytest.mark.django_db
def test_location_of_another_jurisdiction_or_not_a_location_is_refused(youyang, dazu):
    applicant = ApplicantFactory.create(jurisdiction=youyang)
    for location in (dazu.units.get(code="gxq"), youyang.units.get(code="zjw")):
        with pytest.raises(ValidationError) as exc:
            create_project(applicant=applicant, data=project_data(location), by=None)
        assert "本辖区的乡镇、街道或园区" in exc.value.message_dict["location"][0]
    assert not Project.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("uscc", "mobile", "field"),
    [("91500242MA60000A0X", "13800138000", "uscc"), (valid_uscc(5), "1380013800", "contact_mobile")],
)
def test_sign_up_with_bad_codes_saves_nothing(youyang, uscc, mobile, field):
    data = ApplicantData(name="某公司", uscc=uscc, contact_name="李四", contact_mobile=mobile)
    with pytest.raises(ValidationError) as exc:
        sign_up_applicant(
            jurisdiction=youyang, data=data, username="lisi", password="a-good-pass-9", full_name="李四"
        )
    assert field in exc.value.message_dict
    assert not User.objects.filter(username="lisi").exists()
    assert not Applicant.objects.exists()
    assert not ApplicantRepresentative.objects.exists()


@pytest.mark.django_db
def test_nobody_takes_over_a_registered_enterprise(youyang):
    existing = ApplicantFactory.create(jurisdiction=youyang)
    data = ApplicantData(
        name="冒名公司", uscc=existing.uscc, contact_name="王五", contact_mobile="13800138001"
    )
    with pytest.raises(ValidationError) as exc:
        sign_up_applicant(
            jurisdiction=youyang, data=data, username="wangwu", password="a-good-pass-9", full_name="王五"
        )
    assert "已在本辖区注册" in exc.value.message_dict["uscc"][0]
    assert not User.objects.filter(username="wangwu").exists()
