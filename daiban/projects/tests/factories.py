from decimal import Decimal

import factory
from stdnum.cn import uscc

from daiban.organizations.models import Unit
from daiban.projects.models import Applicant, Project


def valid_uscc(n: int, division: str = "500242") -> str:
    body = f"91{division}MA{n:07d}"
    return body + uscc.calc_check_digit(body)


class ApplicantFactory(factory.django.DjangoModelFactory[Applicant]):
    class Meta:
        model = Applicant

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    uscc = factory.Sequence(lambda n: valid_uscc(n + 1))
    contact_name = "张三"
    contact_mobile = "13800138000"


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    applicant = factory.SubFactory(ApplicantFactory)
    jurisdiction = factory.SelfAttribute("applicant.jurisdiction")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    project_code = factory.Sequence(lambda n: f"2026-{'500242'}-47-03-{n + 1:06d}")
    kind = Project.Kind.NEW
    location = factory.LazyAttribute(
        lambda o: (
            Unit.objects.filter(jurisdiction=o.jurisdiction, kind=Unit.Kind.TOWNSHIP).order_by("id").first()
        )
    )
    investment_amount = Decimal("1000")
    land_area = Decimal("5000")
    floor_area = Decimal("8000")
