"""Demo data for `make run` and the browser tests: both jurisdictions, a person for every role, enterprises
and projects. All people and enterprises are invented; the working group copies the *structure* of the
大足 roster (positions and responsibilities), never its names."""

import base64
import datetime
import functools
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import uscc

from daiban.accounts.second_factor import has_second_factor, second_factor_required
from daiban.cases.services.routing import load_routing_policy, routing_data_files
from daiban.catalogue.models import ApprovalItem, FaqEntry, PolicyDocument
from daiban.catalogue.services import catalogue_data_files, load_catalogue
from daiban.organizations.models import (
    Jurisdiction,
    Role,
    Section,
    Unit,
    User,
    WorkingGroup,
    WorkingGroupMember,
)
from daiban.organizations.services import (
    NewMember,
    create_person,
    file_working_group_change,
    grant_role,
    load_organisations,
    organisation_data_files,
)
from daiban.projects.models import Applicant
from daiban.projects.services import (
    ApplicantData,
    ProjectData,
    add_representative,
    create_project,
    register_applicant,
)
from daiban.workdays.services import seed_calendar_from_library

from .demo_history import DEFAULT_PROJECTS, DEFAULT_SEED, load_history, staff_every_unit

DEMO_PASSWORD = "daiban-demo"  # noqa: S105 - printed for the demo; never used outside DEBUG
# The demo staff's authenticator key (hex; RFC 4226's test key), printed by `load_demo` in base32 so a phone
# app can be set up for every demo login the second factor is required of.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def make_uscc(division: str, serial: str) -> str:
    body = f"91{division}MA{serial.rjust(7, '0')}"  # 2 + 6 + 9 = 17 characters before the check
    return body + uscc.calc_check_digit(body)


# username, full name, role, unit code, section code
STAFF: dict[str, list[tuple[str, str, str, str | None, str | None]]] = {
    "500242": [
        ("yy-clerk", "冉晓琳", Role.CLERK, "zwzx", None),
        ("yy-coord-zjw", "田光明", Role.COORDINATOR, "zjw", None),
        ("yy-coord-town", "白雪松", Role.COORDINATOR, "township-001", None),
        ("yy-coord-park", "彭立新", Role.COORDINATOR, "gyyq", None),
        ("yy-agent", "何思远", Role.AGENT, "zjw", None),
        ("yy-agent-park", "石晓峰", Role.AGENT, "gyyq", None),
        ("yy-reviewer", "杨文静", Role.SECTION_REVIEWER, "zjw", "spk"),
        ("yy-hall", "龚丽华", Role.HALL_MANAGER, "zwzx", None),
        ("yy-supervisor", "冉国庆", Role.SUPERVISOR, "gaiban", None),
        ("yy-admin", "陈志刚", Role.ADMINISTRATOR, None, None),
        ("yy-multi", "罗春燕", Role.COORDINATOR, "gzj", None),
        ("yy-multi", "罗春燕", Role.AGENT, "gzj", None),
    ],
    "500111": [
        ("dz-clerk", "邓雨萱", Role.CLERK, "zwzx", None),
        ("dz-coord-zjw", "蒋伟", Role.COORDINATOR, "zjw", None),
        # 大足 routes each item to the working group's member unit (ADR 0022): each accepts its own items.
        ("dz-coord-fgw", "卢海涛", Role.COORDINATOR, "fgw", None),
        ("dz-coord-gzj", "秦玉兰", Role.COORDINATOR, "gzj", None),
        ("dz-coord-town", "曾晓东", Role.COORDINATOR, "township-001", None),
        ("dz-coord-park", "付明亮", Role.COORDINATOR, "gxq", None),
        ("dz-agent", "黎红梅", Role.AGENT, "zjw", None),
        ("dz-reviewer", "韩冬", Role.SECTION_REVIEWER, "zjw", "spk"),
        ("dz-hall", "梁素芬", Role.HALL_MANAGER, "zwglb", None),
        ("dz-supervisor", "邱建华", Role.SUPERVISOR, "jzxk-office", None),
        ("dz-admin", "谭力", Role.ADMINISTRATOR, None, None),
    ],
    "500000": [("city-supervisor", "钱立平", Role.SUPERVISOR, None, None)],
}

# (position, unit code, responsibility, stage, invented name, username)
DAZU_GROUP = [
    ("leader", "zjw", "区住建委分管负责人", "", "马建国", "dz-wg-leader1"),
    ("leader", "zwglb", "区政务管理办分管负责人", "", "夏雨晴", "dz-wg-leader2"),
    ("deputy", "zjw", "区住建委审批科负责人", "", "孔德明", "dz-wg-deputy1"),
    ("deputy", "zwglb", "考核监督科负责人", "", "温婷", "dz-wg-deputy2"),
    ("member", "zwzx", "帮代办综合窗口", "", "邓雨萱", "dz-clerk"),
    ("member", "fgw", "项目投资备案", "initiation_land_planning", "鲁晓光", "dz-wg-fgw"),
    ("member", "jxw", "企业投资项目核准", "initiation_land_planning", "严春", "dz-wg-jxw"),
    ("member", "gzj", "用地规划许可和工程建设许可阶段", "construction_planning", "章志远", "dz-wg-gzj"),
    ("member", "zjw", "施工许可阶段", "construction_permit", "黎红梅", "dz-agent"),
    ("member", "zjw", "竣工验收阶段", "completion_acceptance", "宋佳", "dz-wg-zjw2"),
    ("member", "jtj", "交通项目", "", "贺磊", "dz-wg-jtj"),
    ("member", "sthjj", "环保项目", "", "卢青", "dz-wg-sthjj"),
    ("member", "slj", "水利项目", "", "方永", "dz-wg-slj"),
    ("member", "cgj", "城市管理项目", "", "苏敏", "dz-wg-cgj"),
]

ENTERPRISES: dict[str, list[tuple[str, ...]]] = {
    "500242": [
        ("重庆酉州绿色食品有限公司", "60001", "yy-applicant", "向美玲", "13908340001", "gyyq",
         "酉州绿色食品加工厂房新建项目", "2026-500242-13-03-000101", "new", "5800", "26666.67", "18500"),
        ("酉阳县桃源文旅开发有限公司", "60002", "yy-applicant2", "冯子健", "13908340002", "township-002",
         "桃花源游客服务中心改建项目", "2026-500242-78-03-000102", "renovation", "3200", "8000", "6400"),
    ],
    "500111": [
        ("重庆足下五金制品有限公司", "50001", "dz-applicant", "郑海波", "13908350001", "gxq",
         "五金制品智能生产线扩建项目", "2026-500111-33-03-000201", "expansion", "12000", "40000", "32000"),
    ],
}  # fmt: skip


@functools.cache
def demo_password_hash() -> str:
    """The demo password hashed once per process: hashing takes 0.3 s, and the demo has a hundred people."""
    return make_password(DEMO_PASSWORD)


def _person(username: str, full_name: str, *, by: User | None, mobile: str = "") -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = create_person(username=username, full_name=full_name, mobile=mobile, password=None, by=by)
    User.objects.filter(pk=user.pk).update(password=demo_password_hash())
    return user


@transaction.atomic
def load_demo(
    *, history: bool = False, seed: int = DEFAULT_SEED, projects: int = DEFAULT_PROJECTS
) -> list[tuple[str, str]]:
    """Create (or top up) the demo data; returns (username, what it shows) for the login list.

    Every unit that has items gets its people (`staff_every_unit`); with `history`, a year of requests
    and everything around them is generated too (daiban/portal/demo_history.py), once; tests and journeys
    pass a small `projects` (the showcase requests, one in each state, come whatever the number)."""
    seed_calendar_from_library()
    for path in organisation_data_files():
        load_organisations(path=path)
    for path in catalogue_data_files():
        load_catalogue(path=path)
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", password=DEMO_PASSWORD, full_name="平台管理员")
    logins: list[tuple[str, str]] = [("admin", "平台超级管理员")]
    for code, rows in STAFF.items():
        jurisdiction = Jurisdiction.objects.get(code=code)
        for username, full_name, role, unit_code, section_code in rows:
            user = _person(username, full_name, by=admin)
            unit = Unit.objects.get(jurisdiction=jurisdiction, code=unit_code) if unit_code else None
            section = Section.objects.get(department=unit, code=section_code) if section_code else None
            grant_role(user=user, role=role, jurisdiction=jurisdiction, unit=unit, section=section, by=admin)
            logins.append(
                (username, f"{jurisdiction.name} · {Role(role).label}" + (f" · {unit.name}" if unit else ""))
            )
    staff = staff_every_unit(by=admin, password_hash=demo_password_hash())
    _demo_authenticators()
    _dazu_working_group(admin)
    for path in routing_data_files():  # after the working group 大足's policy names
        load_routing_policy(path=path, by=admin)
    _guide_content(admin)
    for code, enterprises in ENTERPRISES.items():
        jurisdiction = Jurisdiction.objects.get(code=code)
        for (
            name,
            serial,
            username,
            contact,
            mobile,
            location,
            p_name,
            p_code,
            kind,
            inv,
            land,
            floor,
        ) in enterprises:
            applicant_user = _person(username, contact, by=admin, mobile=mobile)
            applicant = Applicant.objects.filter(jurisdiction=jurisdiction, name=name).first()
            if applicant is None:
                applicant = register_applicant(
                    jurisdiction=jurisdiction,
                    data=ApplicantData(
                        name=name, uscc=make_uscc(code, serial), contact_name=contact, contact_mobile=mobile
                    ),
                    by=admin,
                )
                add_representative(applicant=applicant, user=applicant_user, by=admin)
                create_project(
                    applicant=applicant,
                    data=ProjectData(
                        name=p_name,
                        project_code=p_code,
                        kind=kind,
                        location=Unit.objects.get(jurisdiction=jurisdiction, code=location),
                        investment_amount=Decimal(inv),
                        land_area=Decimal(land),
                        floor_area=Decimal(floor),
                    ),
                    by=admin,
                )
            logins.append((username, f"{jurisdiction.name} · 项目单位 · {name}"))
    if history:
        load_history(by=admin, password_hash=demo_password_hash(), seed=seed, projects=projects)
    return logins + staff


def load_history_as_it_goes(*, seed: int = DEFAULT_SEED, projects: int = DEFAULT_PROJECTS) -> int:
    """The year of history for a demo whose people are loaded (`load_demo`), outside one big transaction:
    each step commits as the services make it, so the server beside it (SQLite: one writer at a time)
    keeps answering while the pages fill. Interrupted, it leaves a shorter history, which a later run
    does not extend (the jurisdiction has its invented enterprises)."""
    admin = User.objects.get(username="admin")
    return load_history(
        by=admin, password_hash=demo_password_hash(), seed=seed, projects=projects, atomic=False
    )


def _demo_authenticators() -> None:
    """Every demo login the second factor is required of gets an authenticator with the one known key."""
    for user in User.objects.all():
        if second_factor_required(user) and not has_second_factor(user):
            TOTPDevice.objects.create(user=user, name="demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)


def demo_totp_secret() -> str:
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()


def _dazu_working_group(admin: User) -> None:
    dazu = Jurisdiction.objects.get(code="500111")
    office = Unit.objects.get(jurisdiction=dazu, code="jzxk-office")
    group, created = WorkingGroup.objects.get_or_create(
        jurisdiction=dazu,
        name="大足区社会投资建设项目帮代办工作组",
        defaults={
            "office": office,
            "duties": "统筹协调推进社会投资建设项目全流程审批事项帮办、代办服务工作，负责日常管理和监督。",
        },
    )
    if not created:
        return
    set_up_on = datetime.date(2025, 3, 1)
    for position, unit_code, responsibility, stage, full_name, username in DAZU_GROUP:
        user = _person(username, full_name, by=admin)
        file_working_group_change(
            group=group,
            joining=NewMember(
                user=user,
                position=position,
                unit=Unit.objects.get(jurisdiction=dazu, code=unit_code),
                responsibility=responsibility,
                stage=stage,
            ),
            leaving=None,
            reason="工作组成立",
            filed_on=set_up_on,
            by=admin,
        )
    leaving = WorkingGroupMember.objects.get(group=group, user__username="dz-wg-cgj", left_on__isnull=True)
    file_working_group_change(
        group=group,
        joining=NewMember(
            user=_person("dz-wg-cgj2", "任晓川", by=admin),
            position="member",
            unit=leaving.unit,
            responsibility=leaving.responsibility,
        ),
        leaving=leaving,
        reason="原成员工作调动，由区城市管理局落实人员替补",
        filed_on=datetime.date(2026, 6, 15),
        by=admin,
    )


# Invented examples (marked 演示) so the policy and FAQ pages have something to show; not real documents.
DEMO_POLICIES = [
    (
        "500242",
        "（演示）园区工业项目城市基础设施配套费减免说明",
        "酉阳县住房和城乡建设委员会",
        "tax_fee",
        "园区内符合条件的工业项目，城市基础设施配套费按县政府规定减免；申报施工许可时一并提出。",
        ["construction-permit"],
    ),
    (
        "500242",
        "（演示）社会投资项目帮代办服务免费承诺",
        "酉阳县工程建设项目审批制度改革领导小组办公室",
        "reform",
        "帮代办服务全程免费；除法律法规规定由项目单位缴纳的费用外，不收取任何费用。",
        ["project-filing", "construction-permit", "completion-filing"],
    ),
    (
        "500111",
        "（演示）社会投资小型低风险项目施工许可并联审批说明",
        "大足区住房和城乡建设委员会",
        "reform",
        "小型低风险社会投资项目的施工图审查、施工许可可并联办理，帮代办专员全程代为申报。",
        ["fire-design-review", "construction-permit"],
    ),
    (
        "500111",
        "（演示）高新区企业投资项目帮代办服务指南",
        "重庆市大足区政务服务管理办公室",
        "reform",
        "高新区内企业投资项目由园区帮代办专员对接，项目立项至竣工验收备案全流程免费帮办代办。",
        ["project-filing", "land-use-planning-permit", "completion-filing"],
    ),
]
DEMO_FAQ = [
    (
        "500242",
        "施工许可证承诺几个工作日办结？",
        "承诺3个工作日，从受理次日起算，法定节假日不计。",
        ["construction-permit"],
    ),
    ("500242", "帮代办要收费吗？", "不收费。除法律法规规定由项目单位缴纳的费用外，帮代办服务一律免费。", []),
    (
        "500111",
        "竣工验收备案需要多长时间？",
        "承诺3个工作日，材料齐全后由帮代办专员统一申报，结果统一送达。",
        ["completion-filing"],
    ),
    ("500111", "帮代办专区在哪里办理？", "区政务服务中心一楼帮代办专区，也可在本平台在线申请。", []),
]


def _guide_content(admin: User) -> None:
    for code, title, issuer, category, summary, item_codes in DEMO_POLICIES:
        jurisdiction = Jurisdiction.objects.get(code=code)
        policy, created = PolicyDocument.objects.get_or_create(
            jurisdiction=jurisdiction,
            title=title,
            defaults={
                "issuer": issuer,
                "issued_on": datetime.date(2025, 6, 1),
                "category": category,
                "summary": summary,
                "is_published": True,
            },
        )
        if created:
            policy.approval_items.set(
                ApprovalItem.objects.filter(jurisdiction=jurisdiction, code__in=item_codes, is_active=True)
            )
    for code, question, answer, item_codes in DEMO_FAQ:
        jurisdiction = Jurisdiction.objects.get(code=code)
        entry, created = FaqEntry.objects.get_or_create(
            jurisdiction=jurisdiction, question=question, defaults={"answer": answer, "published_by": admin}
        )
        if created:
            entry.approval_items.set(
                ApprovalItem.objects.filter(jurisdiction=jurisdiction, code__in=item_codes, is_active=True)
            )
