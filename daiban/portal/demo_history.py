"""A year of invented history for 酉阳 (500242) and 大足 (500111), for `make run` and for tests.

What it makes, per jurisdiction: a person for every unit that has items (`staff_every_unit`: a coordinator
and an agent of each department and park, a section reviewer of each deciding section, where none is there
yet), enterprises with projects, and for each project the requests of its stages spread over the past year,
each run through the real chain (accept or decline, assign, collect, file, review with corrections and
special procedures, approve or refuse, pick up, deliver; a refusal decision handed over two working days
after it, except the showcase's, left in its agent's queue); evaluations, call-backs, complaints and their
rectifications; coordination issues; submitted, late and missing quarterly ledgers; inspections and their
required actions; consultations.

How the past gets its dates: every write goes through the services (daiban/*/services), while the clock is
moved with time-machine (one `travel` for the whole run, `move_to` before each step), so the rows those
services stamp with `now` (submission, timeline, audit, notifications, ledgers) carry the moment the step
happened. The steps of all requests are merged into one order by time (a heap of generators), so request
numbers and the audit trail run forward like real life. Nothing is written directly except the demo
password: every invented person gets the one hash computed once (hashing is 0.3 s a person).

Deterministic: one `random.Random(seed)` makes every choice; all dates count back from `today`; a step
that would fall on or after today's midnight is not taken, so what is still open (overdue, due soon,
stopped clocks, awaiting acceptance) depends only on the seed and the date. A few "showcase" requests
are scripted to stop in each item state, so every state exists whatever the seed.

Idempotent: nothing is generated for a jurisdiction that already has a request of an invented enterprise.
"""

import contextlib
import datetime as dt
import hashlib
import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from daiban.assistance.models import Consultation
from daiban.assistance.services import Question, answer_consultation, ask_question
from daiban.cases.models import CaseItem, ClockStop, ItemMaterial, RefusalNotice, ServiceRequest
from daiban.cases.services import (
    RequestData,
    accept_request,
    approve,
    assign_agent,
    decline_request,
    deliver,
    deliver_refusal_notice,
    end_special_procedure,
    file_item,
    mark_ready,
    pick_up,
    record_chase,
    refuse,
    request_correction,
    resubmit,
    start_collecting,
    start_review,
    start_special_procedure,
    submit_request,
    update_checklist_line,
    withdraw_request,
)
from daiban.catalogue.models import ApprovalItem
from daiban.feedback.models import Evaluation, Rectification
from daiban.feedback.services import (
    CallbackData,
    close_rectification,
    evaluate,
    file_complaint,
    record_callback,
    report_rectification,
)
from daiban.organizations.models import Jurisdiction, Role, RoleAssignment, Section, Unit, User
from daiban.organizations.services import create_person, grant_role
from daiban.oversight.models import CoordinationIssue, Inspection, QuarterlyLedger
from daiban.oversight.services import (
    ActionData,
    assign_issue,
    eligible_assignees,
    raise_issue_from_item,
    record_inspection,
    resolve_issue,
    submit_ledger,
)
from daiban.projects.models import Applicant, Project
from daiban.projects.services import (
    ApplicantData,
    ProjectData,
    add_representative,
    create_project,
    register_applicant,
)
from daiban.workdays.quarters import Quarter

DEFAULT_SEED = 20260101
DEFAULT_PROJECTS = 35  # per jurisdiction, besides the showcase: about 250 requests in all
JURISDICTIONS = ("500242", "500111")
PREFIX = {"500242": "yy", "500111": "dz"}
DEMO_MARK = "（演示）"  # every invented enterprise's name starts with it: real ones never do

I = CaseItem.State  # noqa: E741 - as in daiban/cases
STAGES = ("initiation_land_planning", "construction_planning", "construction_permit", "completion_acceptance")

# Invented names: a surname and a given name drawn from these, never a list of real people.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐冉田彭向白石龚冯"
GIVEN = "晓明丽华建国红梅志强秀英海燕春雨文杰佳怡子涵思远俊峰雪松立新婷玉兰永刚德"
FIRMS = "渝川酉溪桃源龙潭翠峰云岭金沙石门青岗松涛银杏丰泽锦程鸿泰瑞丰"
TRADES = [
    ("食品加工", "13"),
    ("五金制品", "33"),
    ("文化旅游", "78"),
    ("物流仓储", "59"),
    ("农产品加工", "13"),
    ("新材料", "30"),
    ("电子元件", "39"),
    ("商贸", "52"),
]
KINDS = ("new", "expansion", "renovation")
BUILDINGS = ("厂房", "综合楼", "仓储中心", "游客服务中心")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _uscc(division: str, serial: int) -> str:
    body = f"91{division}MA{str(serial).rjust(7, '0')}"  # as daiban.portal.demo.make_uscc
    return body + uscc.calc_check_digit(body)


@dataclass
class Cast:
    """Who does what in one jurisdiction: picked once, by unit and section."""

    jurisdiction: Jurisdiction
    coordinators: dict[int, User]
    agents: dict[int, User]
    reviewers: dict[tuple[int, int | None], User]
    hall: User
    supervisor: User

    def coordinator(self, unit_id: int) -> User:
        return self.coordinators[unit_id]

    def agent(self, unit_id: int) -> User:
        return self.agents[unit_id]

    def reviewer(self, item: CaseItem) -> User:
        approval = item.approval_item
        return self.reviewers[(approval.department_id, approval.section_id)]


# Staff -------------------------------------------------------------------------------------------------


def staff_every_unit(*, by: User, password_hash: str) -> list[tuple[str, str]]:
    """A coordinator and an agent for each unit that has items (departments and parks), a section reviewer
    for each deciding section — only where there is none yet, so the hand-made demo people keep their
    queues. Returns (username, what) for the login list."""
    made: list[tuple[str, str]] = []
    rng = random.Random(7)  # noqa: S311 - invented names, not secrets
    for code in JURISDICTIONS:
        jurisdiction = Jurisdiction.objects.get(code=code)
        items = ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True)
        units = list(Unit.objects.filter(pk__in=items.values("department_id")).order_by("code")) + list(
            Unit.objects.filter(jurisdiction=jurisdiction, kind=Unit.Kind.PARK).order_by("code")
        )
        held = set(
            RoleAssignment.objects.filter(jurisdiction=jurisdiction, revoked_at__isnull=True).values_list(
                "role", "unit_id", "section_id"
            )
        )
        for unit in units:
            for role, tag in ((Role.COORDINATOR, "coord"), (Role.AGENT, "agent")):
                if any(r == role and u == unit.pk for r, u, _ in held):
                    continue
                username = f"{PREFIX[code]}-{tag}-{unit.code}"
                user = _staff_person(username, _name(rng), by=by, password_hash=password_hash)
                grant_role(user=user, role=role, jurisdiction=jurisdiction, unit=unit, section=None, by=by)
                made.append((username, f"{jurisdiction.name} · {Role(role).label} · {unit.name}"))
        for department_id, section_id in sorted(set(items.values_list("department_id", "section_id"))):
            if any(
                r == Role.SECTION_REVIEWER and u == department_id and s in (section_id, None)
                for r, u, s in held
            ):
                continue
            unit = Unit.objects.get(pk=department_id)
            section = Section.objects.get(pk=section_id) if section_id else None
            username = f"{PREFIX[code]}-rev-{unit.code}" + (f"-{section.code}" if section else "")
            user = _staff_person(username, _name(rng), by=by, password_hash=password_hash)
            grant_role(
                user=user,
                role=Role.SECTION_REVIEWER,
                jurisdiction=jurisdiction,
                unit=unit,
                section=section,
                by=by,
            )
            where = unit.name + (f" · {section.name}" if section else "")
            made.append((username, f"{jurisdiction.name} · {Role.SECTION_REVIEWER.label} · {where}"))
    return made


def _staff_person(username: str, full_name: str, *, by: User, password_hash: str) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = create_person(username=username, full_name=full_name, password=None, by=by)
    User.objects.filter(pk=user.pk).update(password=password_hash)
    return user


def _cast(jurisdiction: Jurisdiction) -> Cast:
    """The first active holder (by id) of each role and place: the same people every run."""
    assignments = RoleAssignment.objects.filter(jurisdiction=jurisdiction, revoked_at__isnull=True).order_by(
        "id"
    )
    coordinators: dict[int, User] = {}
    agents: dict[int, User] = {}
    reviewers: dict[tuple[int, int | None], User] = {}
    hall = supervisor = None
    for a in assignments.select_related("user"):
        if a.role == Role.COORDINATOR and a.unit_id:
            coordinators.setdefault(a.unit_id, a.user)
        elif a.role == Role.AGENT and a.unit_id:
            agents.setdefault(a.unit_id, a.user)
        elif a.role == Role.SECTION_REVIEWER and a.unit_id:
            reviewers.setdefault((a.unit_id, a.section_id), a.user)
        elif a.role == Role.HALL_MANAGER:
            hall = hall or a.user
        elif a.role == Role.SUPERVISOR:
            supervisor = supervisor or a.user
    assert hall is not None and supervisor is not None, "load the demo people first"
    return Cast(jurisdiction, coordinators, agents, reviewers, hall, supervisor)


# The clock ---------------------------------------------------------------------------------------------

TZ = ZoneInfo(settings.TIME_ZONE)
Script = Iterator[dt.datetime]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


class Scheduler:
    """Runs many scripts in one order by time: each yields when its next step happens and is resumed then,
    with the clock moved there. A step on or after `cutoff` is not taken: the script stays where it is."""

    def __init__(self, *, cutoff: dt.datetime, traveller: time_machine.Traveller, rng: random.Random) -> None:
        self.cutoff = cutoff
        self.traveller = traveller
        self.rng = rng
        self.now = cutoff
        self.heap: list[tuple[dt.datetime, int, Script]] = []
        self.counter = 0

    def start(self, script: Script) -> None:
        when = next(script, None)
        if when is not None and when < self.cutoff:
            self.counter += 1
            heapq.heappush(self.heap, (when, self.counter, script))

    def run(self) -> None:
        while self.heap:
            when, _, script = heapq.heappop(self.heap)
            self.now = when
            self.traveller.move_to(when)
            self.start(script)

    def later(self, days: int, start: dt.datetime | None = None) -> dt.datetime:
        """`days` working days (Mon–Fri) after now (or `start`), at a plausible office hour."""
        base = start or self.now
        day = base.date()
        for _ in range(days):
            day = _workday(day + dt.timedelta(days=1))
        moment = _at(_workday(day), self.rng.randint(9, 16), self.rng.randint(0, 59))
        return moment if moment > base else base + dt.timedelta(minutes=self.rng.randint(5, 90))


@dataclass(frozen=True)
class Fate:
    """What happens to one request; `stop_at` leaves its items in that state (the showcase requests)."""

    outcome: str = "served"  # served | withdrawn | declined | unassigned | waiting
    stop_at: str = ""  # an item state, or overdue / due_soon (under review), or served (to the end)
    stopped_clock: bool = False
    issue: bool = False  # the agent raises a coordination issue from the item
    stage: int = 2  # showcase: the stage its request is for (2: 施工许可, handled by 住建委)
    in_park: bool = False
    codes: tuple[str, ...] = ()  # showcase: exactly these items


@dataclass
class Run:
    """Everything one request needs to know about the run and about its siblings."""

    request: ServiceRequest
    user: User
    fate: Fate
    left: int
    done_at: dt.datetime | None = None


class History:
    """The year of one jurisdiction."""

    def __init__(
        self, *, cast: Cast, scheduler: Scheduler, rng: random.Random, by: User, password: str
    ) -> None:
        self.cast = cast
        self.clock = scheduler
        self.rng = rng
        self.by = by
        self.password = password
        jurisdiction = cast.jurisdiction
        self.code = jurisdiction.code
        active = ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("position")
        self.catalogue = {stage: [i for i in active if i.stage == stage] for stage in STAGES}
        self.localities = list(
            Unit.objects.filter(
                jurisdiction=jurisdiction, kind__in=(Unit.Kind.PARK, Unit.Kind.TOWNSHIP)
            ).order_by("kind", "code")[:12]
        )
        self.enterprises: list[tuple[Applicant, User]] = []

    # people and projects

    def enterprise(self, number: int) -> tuple[Applicant, User]:
        rng = self.rng
        trade = rng.choice(TRADES)[0]
        name = f"{DEMO_MARK}重庆{''.join(rng.sample(FIRMS, 2))}{trade}有限公司"
        contact = _name(rng)
        user = _staff_person(
            f"{PREFIX[self.code]}-e{number:02d}", contact, by=self.by, password_hash=self.password
        )
        applicant = register_applicant(
            jurisdiction=self.cast.jurisdiction,
            data=ApplicantData(
                name=name,
                uscc=_uscc(self.code, 70000 + number),
                contact_name=contact,
                contact_mobile=f"1390000{self.code[-2:]}{number:02d}",
            ),
            by=self.by,
        )
        add_representative(applicant=applicant, user=user, by=self.by)
        self.enterprises.append((applicant, user))
        return applicant, user

    def project(self, number: int, start: dt.datetime, showcase: "Fate | None" = None) -> Script:
        """One project: created, then a request for each stage, each after the previous one is through.
        A showcase project starts at the fate's stage, with its items, in a park or a township."""
        rng = self.rng
        if showcase is None:
            locality = rng.choice(self.localities)
        else:
            kind = Unit.Kind.PARK if showcase.in_park else Unit.Kind.TOWNSHIP
            locality = next(u for u in self.localities if u.kind == kind)
        applicant, user = rng.choice(self.enterprises)
        yield start
        project = create_project(
            applicant=applicant,
            data=ProjectData(
                name=f"{rng.choice(FIRMS)}{rng.choice(FIRMS)}{rng.choice(BUILDINGS)}"
                f"{rng.choice(('新建', '扩建', '改建'))}项目（{number}号）",
                project_code=f"{start.year}-{self.code}-{rng.choice(TRADES)[1]}-03-{700000 + number:06d}",
                kind=rng.choice(KINDS),
                location=locality,
                investment_amount=Decimal(rng.randrange(800, 30000, 100)),
                land_area=Decimal(rng.randrange(2000, 60000, 100)),
                floor_area=Decimal(rng.randrange(1000, 40000, 100)),
            ),
            by=self.by,
        )
        first = showcase.stage if showcase else 0
        for n, stage in enumerate(STAGES[first:]):
            fate = showcase if showcase and n == 0 else _fate(rng)
            options = self.catalogue[stage]
            items = sorted(
                rng.sample(options, min(len(options), rng.choice((1, 1, 2, 2, 3)))), key=lambda i: i.position
            )
            if fate.codes:
                items = [i for i in options if i.code in fate.codes]
            run: list[Run] = []
            yield self.clock.later(rng.randint(0, 3))
            yield from self.request(project, user, items, fate, run)
            while run and run[0].done_at is None:  # wait for the items, a month at a time
                if self.clock.now >= self.clock.cutoff - dt.timedelta(days=1):
                    return
                yield self.clock.later(20)
            if not run or run[0].request.state != ServiceRequest.State.COMPLETED:
                return
            yield self.clock.later(rng.randint(10, 40), run[0].done_at)

    # the request's own steps

    def request(
        self, project: Project, user: User, items: list[ApprovalItem], fate: Fate, run: list[Run]
    ) -> Script:
        rng = self.rng
        request = submit_request(
            project=project,
            data=RequestData(
                mode=rng.choice(
                    (ServiceRequest.Mode.PROXY, ServiceRequest.Mode.PROXY, ServiceRequest.Mode.ASSIST)
                ),
                approval_items=items,
                consent=True,
                free_of_charge_acknowledged=True,
                note=rng.choice(("", "", "希望尽快办理，项目计划年内开工。", "材料已基本备齐。")),
            ),
            by=user,
            channel=ServiceRequest.Channel.ONLINE,
        )
        if fate.outcome == "waiting":
            return
        case_items = list(request.items.select_related("approval_item__result_document", "responsible_unit"))
        yield self.clock.later(rng.randint(0, 1))
        if fate.outcome == "withdrawn":
            withdraw_request(request=request, by=user)
            return
        if fate.outcome == "declined":
            reason = rng.choice(
                (
                    "项目属于政府投资项目，请按政府投资项目程序办理。",
                    "所申请事项已由项目单位自行办结，无需帮代办。",
                )
            )
            for unit in dict.fromkeys(i.responsible_unit_id for i in case_items):
                decline_request(request=request, reason=reason, by=self.cast.coordinator(unit))
            return
        # Each item is accepted by its own responsible unit (ADR 0022): one shortcut per unit.
        for unit in dict.fromkeys(i.responsible_unit_id for i in case_items):
            accept_request(request=request, by=self.cast.coordinator(unit))
        request.refresh_from_db()
        this = Run(request=request, user=user, fate=fate, left=len(case_items))
        run.append(this)
        for n, item in enumerate(case_items):
            if fate.outcome == "unassigned" and n == len(case_items) - 1:
                return  # 待分派: the last item still waits for its agent
            yield self.clock.later(0)
            unit = item.responsible_unit_id
            assign_agent(item=item, agent=self.cast.agent(unit), by=self.cast.coordinator(unit))
        for item in case_items:
            self.clock.start(self.item(item, this))

    # one item's chain

    def item(self, item: CaseItem, run: Run) -> Script:
        rng, clock, fate = self.rng, self.clock, run.fate
        agent = self.cast.agent(item.responsible_unit_id)
        reviewer = self.cast.reviewer(item)
        stop = fate.stop_at

        def fresh() -> CaseItem:
            return CaseItem.objects.select_related("approval_item__result_document", "request").get(
                pk=item.pk
            )

        if stop == I.PLANNED:
            return
        yield clock.later(rng.randint(0, 2))
        start_collecting(item=item, by=agent, expected_version=fresh().version)
        self.checklist(
            item, agent, promise=rng.random() < 0.12 or stop == I.READY, missing=stop == I.COLLECTING
        )
        if stop == I.COLLECTING:
            return
        yield clock.later(rng.randint(1, 4))
        mark_ready(item=item, by=agent, expected_version=fresh().version)
        if stop == I.READY:
            return
        if stop in ("overdue", "due_soon"):  # filed so that the deadline has passed, or is two days away
            back = item.time_limit_days * 2 + 9 if stop == "overdue" else max(1, item.time_limit_days - 2) + 2
            yield max(clock.later(0), clock.later(0, clock.cutoff - dt.timedelta(days=back + 1)))
        else:
            yield clock.later(rng.randint(0, 2))
        filed_at = clock.now
        file_item(
            item=item,
            external_ref=f"SP{self.code}{filed_at:%Y%m%d}{item.request.number:04d}{item.position:02d}",
            filed_on=filed_at.date(),
            by=agent,
            expected_version=fresh().version,
        )
        if stop == I.FILED:
            return
        yield clock.later(rng.randint(0, 1))
        start_review(item=item, by=reviewer, expected_version=fresh().version)
        if stop in (I.UNDER_REVIEW, "overdue", "due_soon"):
            return
        if fate.stopped_clock:
            yield clock.later(1)
            start_special_procedure(
                item=fresh(),
                kind=ClockStop.Kind.PUBLICITY,
                start_on=clock.now.date(),
                note="批前公示",
                by=reviewer,
            )
            return
        limit = item.time_limit_days
        roll = rng.random()
        if roll < 0.25 or stop in (I.CORRECTION_REQUESTED, I.RESUBMITTED):
            yield clock.later(rng.randint(1, max(1, limit // 2)))
            request_correction(
                item=item,
                on=clock.now.date(),
                note=rng.choice(
                    (
                        "总平面图比例尺不符合要求，请重新出图。",
                        "申请表缺法定代表人签字。",
                        "施工图审查合格书需补充。",
                    )
                ),
                by=reviewer,
                expected_version=fresh().version,
            )
            if stop == I.CORRECTION_REQUESTED:
                return
            yield clock.later(rng.randint(2, 8))
            resubmit(item=item, on=clock.now.date(), by=agent, expected_version=fresh().version)
            if stop == I.RESUBMITTED:
                return
        elif roll < 0.32 and limit >= 5:
            yield clock.later(1)
            procedure = start_special_procedure(
                item=fresh(),
                kind=ClockStop.Kind.EXPERT_REVIEW,
                start_on=clock.now.date(),
                note="组织专家评审",
                by=reviewer,
            )
            yield clock.later(rng.randint(3, 8))
            end_special_procedure(stop=procedure, end_on=clock.now.date(), by=reviewer)
        if rng.random() < 0.3:
            yield clock.later(1)
            record_chase(
                item=item,
                chased_on=clock.now.date(),
                department=item.approval_item.department,
                how=rng.choice(("phone", "in_person", "system")),
                answer="审批科室表示正在审查，预计按期办结。",
                next_step="保持跟踪，按期取件",
                shared=True,
                by=agent,
            )
        if fate.issue or rng.random() < 0.04:
            yield clock.later(1)
            issue = raise_issue_from_item(
                item=item,
                title="审批前置条件需要协调",
                description="该事项需相关部门先出具意见方可办结，请予协调。",
                by=agent,
            )
            clock.start(self.issue(issue))
        late = rng.random() < 0.15
        yield clock.later(
            max(1, limit + rng.randint(1, 5) if late else limit - rng.randint(0, limit // 2)), filed_at
        )
        if stop == I.REFUSED or (not stop and rng.random() < 0.05):
            refuse(
                item=item,
                decided_on=clock.now.date(),
                reason="项目选址不符合国土空间规划，依法不予许可。",
                by=reviewer,
                expected_version=fresh().version,
            )
            if stop != I.REFUSED:  # the showcase refusal stays in its agent's 待送达不予许可 queue
                clock.start(self.refusal_notice(fresh(), run))
            yield from self.item_done(run)
            return
        approve(item=item, decided_on=clock.now.date(), by=reviewer, expected_version=fresh().version)
        if stop == I.APPROVED:
            return
        yield clock.later(rng.randint(0, 2))
        pick_up(item=item, on=clock.now.date(), by=agent, expected_version=fresh().version)
        if stop == I.PICKED_UP:
            return
        yield clock.later(rng.randint(0, 2))
        current = fresh()
        method = rng.choice(("in_person", "in_person", "post", "e_certificate"))
        if method == "e_certificate" and not current.result_document.is_e_certificate:
            method = "in_person"
        deliver(
            item=current,
            method=method,
            delivered_on=clock.now.date(),
            receiver=run.user.full_name if method == "in_person" else "",
            carrier="中国邮政EMS" if method == "post" else "",
            tracking_number=f"EMS{clock.now:%y%m%d}{item.request.number:04d}{item.position:02d}"
            if method == "post"
            else "",
            by=agent,
            expected_version=current.version,
        )
        yield from self.item_done(run)

    def refusal_notice(self, item: CaseItem, run: Run) -> Script:
        """The refusal decision handed to the enterprise two working days later. Its own script, timed
        without the random generator, so every other draw of the history is the same as before."""
        now = self.clock.now
        day = now.date()
        for _ in range(2):
            day = _workday(day + dt.timedelta(days=1))
        yield max(_at(day, 10, 30), now + dt.timedelta(minutes=30))
        assert item.agent is not None
        deliver_refusal_notice(
            item=item,
            method="in_person",
            delivered_on=self.clock.now.date(),
            recipient=run.user.full_name,
            by=item.agent,
        )

    def checklist(self, item: CaseItem, agent: User, *, promise: bool, missing: bool) -> None:
        for line in ItemMaterial.objects.filter(case_item=item).select_related("material").order_by("id"):
            status, promised_on, note = ItemMaterial.Status.RECEIVED, None, ""
            if missing and line.material.is_key:
                status, note = ItemMaterial.Status.MISSING, "待项目单位提供"
            elif promise and not line.material.is_key:
                promise = False
                status, note = ItemMaterial.Status.PROMISED, "项目单位承诺限期补交（容缺受理）"
                promised_on = self.clock.now.date() + dt.timedelta(days=self.rng.randint(10, 25))
            update_checklist_line(line=line, status=status, promised_on=promised_on, note=note, by=agent)

    # after the service

    def item_done(self, run: Run) -> Script:
        run.left -= 1
        if run.left:
            return
        request = run.request
        request.refresh_from_db()
        if request.state != ServiceRequest.State.COMPLETED:
            return
        run.done_at = self.clock.now
        rng, user = self.rng, run.user
        agents = list(User.objects.filter(case_items__request=request).distinct().order_by("id"))
        if rng.random() < 0.85:
            yield self.clock.later(rng.randint(0, 5))
            for agent in agents:
                bad = rng.random() < 0.06
                levels = (2, 2, 3) if bad else rng.choice(((5, 5, 5), (5, 4, 5), (4, 4, 5), (5, 5, 4)))
                evaluate(
                    request=request,
                    agent=agent,
                    attitude=levels[0],
                    efficiency=levels[1],
                    integrity=levels[2],
                    comment="办理时间比承诺的长，中间没有主动告知进度。"
                    if bad
                    else rng.choice(("", "服务周到，全程代办省心。")),
                    by=user,
                )
        if rng.random() < 0.04:
            yield self.clock.later(rng.randint(1, 4))
            file_complaint(
                request=request, text="送达的证照信息有误，联系专员后迟迟没有答复。", agent=agents[0], by=user
            )
        if rng.random() < 0.6:
            yield self.clock.later(rng.randint(2, 6))
            record_callback(
                request=request,
                data=CallbackData(
                    called_on=self.clock.now.date(),
                    reached=True,
                    contact_person=user.full_name,
                    overall=rng.choice((5, 5, 4)),
                    asked_for_money=False,
                    remarks="对帮代办服务表示满意。",
                ),
                ratings={},
                by=self.cast.hall,
            )
        for rectification in Rectification.objects.filter(request=request, status=Rectification.Status.OPEN):
            self.clock.start(self.rectification(rectification))

    def rectification(self, rectification: Rectification) -> Script:
        yield self.clock.later(self.rng.randint(2, 6))
        rectification.refresh_from_db()
        assert rectification.owner is not None
        report_rectification(
            rectification=rectification,
            note="已约谈相关专员，向项目单位当面说明情况并致歉，完善了进度告知。",
            by=rectification.owner,
        )
        yield self.clock.later(self.rng.randint(2, 5))
        close_rectification(
            rectification=rectification, note="经回访核实，项目单位认可整改结果。", by=self.cast.supervisor
        )

    def issue(self, issue: CoordinationIssue) -> Script:
        yield self.clock.later(1)
        assignee = eligible_assignees(issue)[0]
        issue = assign_issue(issue=issue, assignee=assignee, working_days=5, by=self.cast.supervisor)
        yield self.clock.later(self.rng.randint(2, 7))
        resolve_issue(issue=issue, resolution="经协调，相关部门已出具意见，事项可继续办理。", by=assignee)

    # oversight and questions

    def ledgers(self, quarter: Quarter, units: list[Unit]) -> Script:
        """Each unit's ledger for a past quarter: most on time, some late, a few never."""
        for unit in units:
            roll = self.rng.random()
            if roll < 0.12:
                continue  # never submitted: 未报送
            yield self.clock.later(
                self.rng.randint(1, 6) if roll > 0.3 else self.rng.randint(12, 25), _at(quarter.last_day, 18)
            )
            submit_ledger(
                unit=unit,
                quarter=quarter,
                annotation="本季度帮代办工作正常开展。",
                by=self.cast.coordinator(unit.pk),
            )

    def inspection(self, start: dt.datetime, units: list[Unit]) -> Script:
        yield start
        chosen = self.rng.sample(units, 2)
        record_inspection(
            jurisdiction=self.cast.jurisdiction,
            held_on=start.date(),
            units=chosen,
            inspectors=f"{_name(self.rng)}、{_name(self.rng)}",
            scope="帮代办服务台账、办理时限和回访记录",
            findings="个别事项进度告知不及时，台账填写不够规范。",
            actions=[
                ActionData(
                    unit=chosen[0],
                    action="完善进度告知机制并报送整改情况",
                    due_on=start.date() + dt.timedelta(days=20),
                )
            ],
            by=self.cast.supervisor,
        )

    def consultation(self, start: dt.datetime) -> Script:
        yield start
        applicant, user = self.rng.choice(self.enterprises)
        topic, question = self.rng.choice(QUESTIONS)
        asked = ask_question(applicant=applicant, data=Question(topic=topic, question=question), by=user)
        if start > self.clock.cutoff - dt.timedelta(days=4):
            return  # still waiting for an answer
        yield self.clock.later(self.rng.randint(0, 2))
        answer_consultation(
            consultation=asked,
            answer="您好，已电话联系并说明办理流程和所需材料，如有疑问请致电帮代办专区。",
            by=next(iter(self.cast.agents.values())),
        )


QUESTIONS = [
    ("process", "我们的厂房扩建项目需要办理哪些审批事项，大概多长时间？"),
    ("materials", "施工许可申请需要提交哪些材料，施工图审查合格书是否必须？"),
    ("tax_fee", "园区内工业项目的城市基础设施配套费可以减免吗？"),
    ("policy", "帮代办服务是否收费，需要签订委托书吗？"),
]


def _fate(rng: random.Random) -> Fate:
    roll = rng.random()
    if roll < 0.04:
        return Fate("withdrawn")
    if roll < 0.09:
        return Fate("declined")
    return Fate()


# Showcase: recent requests scripted to stop where each queue and state needs one.
PERMIT = ("construction-permit",)
SHOWCASE = [
    Fate("waiting", codes=PERMIT),
    Fate("waiting", stage=0),
    Fate("withdrawn"),
    Fate("declined", stage=0),
    Fate(stop_at=I.REFUSED, stage=0),
    Fate(stop_at="served", stage=1),
    Fate("unassigned", codes=("fire-design-review", "construction-permit")),
    Fate(stop_at=I.PLANNED, codes=PERMIT),
    Fate(stop_at=I.COLLECTING, codes=PERMIT),
    Fate(stop_at=I.COLLECTING, in_park=True),
    Fate(stop_at=I.READY),
    Fate(stop_at=I.FILED, in_park=True),
    Fate(stop_at=I.UNDER_REVIEW, codes=("fire-design-review",)),
    Fate(stop_at="overdue", codes=PERMIT),
    Fate(stop_at="overdue", stage=0),
    Fate(stop_at="due_soon", codes=("fire-design-review",)),
    Fate(stopped_clock=True, stage=1),
    Fate(stop_at=I.CORRECTION_REQUESTED, codes=PERMIT),
    Fate(stop_at=I.RESUBMITTED, in_park=True),
    Fate(stop_at=I.APPROVED, issue=True, codes=PERMIT),
    Fate(stop_at=I.PICKED_UP, stage=0),
]


def _past_quarters(today: dt.date) -> list[Quarter]:
    """The four quarters that ended before today, oldest first."""
    quarter = Quarter.containing(today).previous
    quarters = []
    for _ in range(4):
        quarters.append(quarter)
        quarter = quarter.previous
    return quarters[::-1]


def load_history(
    *,
    by: User,
    password_hash: str,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    projects: int = DEFAULT_PROJECTS,
    showcase: bool = True,
    atomic: bool = True,
) -> int:
    """Generate the year for both jurisdictions (each skipped when it has its invented enterprises
    already); returns the number of requests made. `atomic`: all or nothing in one transaction; without
    it each service call commits on its own (a server beside it keeps writing)."""
    with transaction.atomic() if atomic else contextlib.nullcontext():
        return _load_history(
            by=by, password_hash=password_hash, seed=seed, today=today, projects=projects, showcase=showcase
        )


def _load_history(
    *,
    by: User,
    password_hash: str,
    seed: int,
    today: dt.date | None,
    projects: int,
    showcase: bool,
) -> int:
    today = today or timezone.localdate()
    cutoff = _at(today, 0)
    made = 0
    with time_machine.travel(cutoff - dt.timedelta(days=400), tick=False) as traveller:
        for offset, code in enumerate(JURISDICTIONS):
            jurisdiction = Jurisdiction.objects.get(code=code)
            if Applicant.objects.filter(jurisdiction=jurisdiction, name__startswith=DEMO_MARK).exists():
                continue
            rng = random.Random(seed * 10 + offset)  # noqa: S311 - invented data, not secrets
            clock = Scheduler(cutoff=cutoff, traveller=traveller, rng=rng)
            history = History(
                cast=_cast(jurisdiction), scheduler=clock, rng=rng, by=by, password=password_hash
            )
            year_ago = cutoff - dt.timedelta(days=365)
            traveller.move_to(year_ago - dt.timedelta(days=5))
            for n in range(1, 19):
                history.enterprise(n)
            for n in range(1, projects + 1):
                start = year_ago + dt.timedelta(days=rng.randint(0, 340), hours=rng.randint(9, 16))
                clock.start(history.project(n, _at(_workday(start.date()), start.hour)))
            for n, fate in enumerate(SHOWCASE if showcase else [], start=projects + 1):
                days_back = {"waiting": 8, "unassigned": 8}.get(
                    fate.outcome, {"overdue": 70, "served": 150}.get(fate.stop_at, 45)
                )
                start = _at(_workday((cutoff - dt.timedelta(days=days_back)).date()), 9)
                clock.start(history.project(n, start, showcase=fate))
            units = [
                u
                for u in Unit.objects.filter(pk__in=list(history.cast.coordinators)).order_by("code")
                if u.kind != Unit.Kind.TOWNSHIP
            ]
            for quarter in _past_quarters(today):
                clock.start(history.ledgers(quarter, units))
            for month in range(1, 12, 3):
                clock.start(
                    history.inspection(
                        _at(_workday((year_ago + dt.timedelta(days=30 * month)).date()), 10), units
                    )
                )
            for _n in range(12):
                clock.start(
                    history.consultation(
                        _at(
                            _workday((year_ago + dt.timedelta(days=rng.randint(0, 363))).date()),
                            rng.randint(9, 16),
                        )
                    )
                )
            clock.run()
            made += ServiceRequest.objects.filter(jurisdiction=jurisdiction).count()
    return made


def history_digest() -> str:
    """A fingerprint of the generated data without database ids: two runs with one seed and one date give
    the same digest."""
    rows: list[str] = []
    requests = ServiceRequest.objects.select_related("jurisdiction", "project", "applicant").order_by(
        "jurisdiction__code", "year", "number"
    )
    for request in requests:
        rows.append(
            f"{request.reference}|{request.project.name}|{request.applicant.name}|{request.state}|"
            f"{request.submitted_at.isoformat()}|{request.completed_at}|{request.decline_reason}"
        )
    items = CaseItem.objects.select_related("request__jurisdiction", "approval_item", "agent").order_by(
        "request__jurisdiction__code", "request__year", "request__number", "position"
    )
    for item in items:
        rows.append(
            f"{item.request.reference}|{item.approval_item.code}|{item.state}|"
            f"{item.agent.username if item.agent else ''}|{item.filed_on}|{item.due_on}|{item.decided_on}|"
            f"{item.external_ref}|{item.stops.count()}|{item.checklist.filter(status='promised').count()}"
        )
    rows.append(f"users|{sorted(User.objects.values_list('username', 'full_name'))}")
    rows.append(
        f"refusal notices|{sorted(map(str, RefusalNotice.objects.values_list('delivered_on', flat=True)))}"
    )
    for model in (Rectification, CoordinationIssue, QuarterlyLedger, Inspection, Consultation, Evaluation):
        rows.append(f"{model.__name__}|{model.objects.count()}")
    rows.append(f"ledgers|{sorted(QuarterlyLedger.objects.values_list('unit__code', 'year', 'quarter'))}")
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()
