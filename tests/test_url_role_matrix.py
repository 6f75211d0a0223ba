"""One URL × persona table for the whole site, generated from the URL conf and the permission rules.

Every named URL (the admin aside: it has its own section at the end) has a row in `TABLE` saying what each
persona gets: the page (or, POSTed, the step done), a redirect elsewhere, the sign-in page (anonymous), 403
from the URL's permission rule ("forbidden"), 403 from the view ("denied" — also a POSTed step the persona
may see but is someone else's to take: the service raises `NotYourStep` and the page answers 403 with its
reason), 404 for what is not theirs ("hidden"), or the page again with the service's reason and nothing
saved ("rejected": a step not possible in the object's state). A POST-only URL answers 405 to a GET from
anyone its rule lets in.

- `test_every_url_name_has_a_row`: a URL added without a row, or a row left for a removed URL, fails;
- `test_rows_agree_with_the_permission_rules`: each row's "forbidden" set is exactly who the URL's
  registered `Rule` (daiban.common.access) refuses, and only public rules let anonymous visitors in;
- `test_url_as_persona`: one test per URL name and persona on 酉阳's objects ("ours"). A refused POST leaves
  the object, the audit trail and the notifications as they were; an allowed POST changes the object (so the
  payload is known to be valid and the refusals mean something). A page served to a persona never shows
  what it may not see: the other county's objects, another enterprise's, a bad rating's comment before it
  is released, an agent's internal chase notes;
- `test_wrong_owner`: every persona allowed on ours' object gets 404 for the same URL with 大足's ("theirs"),
  and a POST changes nothing; `test_wrong_child`: ours' request with theirs' item (line, stop…) is 404 too;
  `test_foreign_objects_in_a_form`: a POST naming one of theirs' objects in a field saves nothing;
- `test_every_notification_links_to_a_page_its_recipient_may_open`;
- `test_admin_*`: the Django admin opens to administrators and the platform superuser only.

The JSON API's routes (`/api/v1/…`, URL namespace "api", a governed namespace in daiban.common.access) are
not in `TABLE`: they answer problem details, not pages, and have their own endpoint × client scope / role
table in daiban/api/tests/test_endpoint_scopes.py. Its human-readable reference page (`api_docs`) is here.

The scenario (two counties with requests in every state the URLs need) is built once for the module inside
one transaction; each test runs in a savepoint rolled back after it, so tests stay independent.
"""

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from django.utils import timezone

from daiban.accounts.models import ResetCode
from daiban.accounts.services import open_walk_in_account
from daiban.accounts.tests.signin import sign_in_fully
from daiban.assistance.models import Consultation, CoordinationMeeting, FollowUp
from daiban.assistance.services import (
    FollowUpData,
    MeetingData,
    Question,
    answer_consultation,
    ask_question,
    record_meeting,
)
from daiban.cases import services as steps
from daiban.cases.models import (
    CaseItem,
    ChaseRecord,
    ClockStop,
    ItemMaterial,
    RefusalNotice,
    RequestDocument,
    RoutingPolicy,
    ServiceRequest,
    Visit,
)
from daiban.cases.rating_links import rating_token
from daiban.cases.reminders import sweep_deadlines
from daiban.cases.services import accept_request, assign_agent, submit_request
from daiban.cases.tests.chains import deliver_it, file_it
from daiban.cases.tests.conftest import data, pdf
from daiban.catalogue.models import ApprovalItem, FaqEntry, PolicyDocument
from daiban.catalogue.services import catalogue_data_file, load_catalogue
from daiban.common.access import GOVERNED_NAMESPACES, _walk, rule_of
from daiban.common.audit import AuditVerb
from daiban.common.models import AuditEntry
from daiban.feedback.models import Callback, Evaluation, Rectification
from daiban.feedback.services import evaluate
from daiban.notifications.models import Notification
from daiban.organizations.models import (
    Jurisdiction,
    Role,
    Unit,
    User,
    WorkingGroup,
    WorkingGroupChange,
    WorkingGroupMember,
)
from daiban.organizations.services import DATA_DIR, grant_role, load_organisations
from daiban.organizations.tests.factories import UserFactory
from daiban.oversight.models import (
    CoordinationIssue,
    Forum,
    ForumOpinion,
    Inspection,
    QuarterlyLedger,
    RequiredAction,
)
from daiban.oversight.services import (
    ActionData,
    ForumData,
    assign_issue,
    escalate_overdue_issues,
    raise_issue,
    raise_issue_from_item,
    record_forum,
    record_inspection,
    resolve_issue,
)
from daiban.planning.models import ConstructionPeriod, PlanAdjustment, PlanMilestone
from daiban.planning.services import add_milestone
from daiban.planning.warnings import warn_permit_slips
from daiban.projects.models import Applicant, ApplicantRepresentative, Project
from daiban.projects.tests.factories import ApplicantFactory, ProjectFactory
from daiban.workdays.services import seed_calendar_from_library

D = dt.date
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = D(2026, 11, 20)  # a Friday; the scenario happens in the two weeks before

# Words that appear only in one side's objects, so a page can be searched for what it must not show.
OURS_MARK, THEIRS_MARK = "酉阳矩阵", "大足矩阵"
HIDDEN_COMMENT = "差评保密意见"  # a bad rating's comment: the agent rated must not read it before release
INTERNAL_CHASE = "内部催办记录"  # an agent's working note on a chase, not shared with the applicant


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


# ---------------------------------------------------------------------------------------------------------
# Personas. All belong to 酉阳 ("ours") except the other county's supervisor, the city's and the superuser.
# ---------------------------------------------------------------------------------------------------------

ANON = "anonymous"
APPLICANT = "applicant"  # represents the enterprise that owns ours' project and requests
OTHER_APPLICANT = "other_applicant"  # represents another enterprise of the same county
CLERK = "clerk"  # window clerk of the service centre
COORD = "coordinator"  # of the park where ours' project is: accepts, assigns, owns the rectification
# The department deciding ours' permit: in a park it is not responsible for the item (it does not see ours'
# requests); it owns a follow-up of a coordination meeting on ours' main request (it sees the meetings).
OTHER_COORD = "other_coordinator"
AGENT = "agent"  # the agent of every item of ours
OTHER_AGENT = "other_agent"  # an agent of the same park, assigned to nothing
REVIEWER = "section_reviewer"  # of the sections deciding ours' items
HALL = "hall_manager"
SUPERVISOR = "supervisor"  # 酉阳's reform office
OTHER_SUPERVISOR = "other_supervisor"  # 大足's reform office
CITY = "city_supervisor"  # the city's: every district
ADMIN = "administrator"  # 酉阳's administrator (the Django admin)
ROOT = "superuser"  # the platform superuser

PERSONAS = (
    ANON,
    APPLICANT,
    OTHER_APPLICANT,
    CLERK,
    COORD,
    OTHER_COORD,
    AGENT,
    OTHER_AGENT,
    REVIEWER,
    HALL,
    SUPERVISOR,
    OTHER_SUPERVISOR,
    CITY,
    ADMIN,
    ROOT,
)
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {ANON}
APPLICANTS = frozenset({APPLICANT, OTHER_APPLICANT})
STAFF = SIGNED_IN - APPLICANTS  # hold a role, or the superuser
OUR_STAFF = frozenset({CLERK, COORD, OTHER_COORD, AGENT, OTHER_AGENT, REVIEWER, HALL, SUPERVISOR, ADMIN})
SUPERVISORS = frozenset({SUPERVISOR, OTHER_SUPERVISOR, CITY})
DASHBOARD_VIEWERS = SUPERVISORS | {COORD, OTHER_COORD}
# Who sees ours' requests: the enterprise, the park's coordinator, the items' agent and reviewer, oversight.
SEES_REQUEST = frozenset({APPLICANT, COORD, AGENT, REVIEWER, SUPERVISOR, CITY, ROOT})
# Whose reach covers both counties: for them the other county's objects are not "someone else's".
SPANS_BOTH = frozenset({CITY, ROOT})
# The personas of ours, whose "wrong owner" is theirs.
OURS = SIGNED_IN - {OTHER_SUPERVISOR} - SPANS_BOTH

# What a page served to the persona must never contain.
NEVER_SEES: dict[str, frozenset[str]] = {p: frozenset({THEIRS_MARK}) for p in OURS} | {
    APPLICANT: frozenset({THEIRS_MARK, INTERNAL_CHASE}),
    OTHER_APPLICANT: frozenset({OURS_MARK, THEIRS_MARK, INTERNAL_CHASE}),
    AGENT: frozenset({THEIRS_MARK, HIDDEN_COMMENT}),
    OTHER_SUPERVISOR: frozenset({OURS_MARK}),
    CITY: frozenset(),
    ROOT: frozenset(),
    ANON: frozenset(),
}


# ---------------------------------------------------------------------------------------------------------
# The scenario: one county side (ours: 酉阳 500242, theirs: 大足 500111), built with the real services.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Side:
    """One county's people and objects. `people` maps persona names to users of this side."""

    jurisdiction: Jurisdiction
    mark: str
    people: dict[str, User]
    enterprise: Applicant
    project: Project
    submitted: ServiceRequest  # waiting to be accepted
    main: ServiceRequest  # being handled: one item planned, one under review, one with its clock stopped
    item_plan: CaseItem
    item_review: CaseItem
    item_stopped: CaseItem
    line: ItemMaterial  # a checklist line of item_plan
    stop: ClockStop  # the open special procedure of item_stopped
    document: RequestDocument  # uploaded with `main`
    milestone: PlanMilestone
    follow_up: FollowUp  # of a coordination meeting on `main`, owned by the park (another by the department)
    done: ServiceRequest  # completed, not yet rated nor called back
    done_item: CaseItem
    refused_item: CaseItem  # refused (its request completed), the refusal decision not yet delivered
    rated: ServiceRequest  # completed and rated badly
    evaluation: Evaluation
    rectification: Rectification
    consultation_open: Consultation
    consultation_answered: Consultation
    issue_open: CoordinationIssue  # raised from item_review by the agent
    issue_assigned: CoordinationIssue  # raised by the coordinator, assigned to the agent
    issue_resolved: CoordinationIssue
    inspection: Inspection
    forum: Forum  # a 会议座谈 of the reform office, one opinion heard
    action: RequiredAction  # the park's action after the inspection
    park: Unit
    working_group: WorkingGroup
    notification: Notification  # the applicant's
    policy: PolicyDocument
    faq: FaqEntry
    walk_in: Applicant  # registered at the window, no online account yet
    walk_in_waiting: Applicant  # the window opened its account; not activated


def _staff(role: str, jurisdiction: Jurisdiction, unit: Unit | None = None, **sections: str) -> User:
    user = UserFactory.create()
    if sections:
        for dept, section in sections.items():
            department = Unit.objects.get(jurisdiction=jurisdiction, code=dept)
            grant_role(
                user=user,
                role=role,
                jurisdiction=jurisdiction,
                unit=department,
                section=department.sections.get(code=section),
                by=None,
            )
    else:
        grant_role(user=user, role=role, jurisdiction=jurisdiction, unit=unit, by=None)
    return user


def _representative(enterprise: Applicant) -> User:
    user = UserFactory.create()
    ApplicantRepresentative.objects.create(applicant=enterprise, user=user)
    return user


def build_side(
    code: str, *, park_code: str, office_code: str, mark: str, move: Callable[[dt.date], None]
) -> Side:
    move(D(2026, 11, 2))
    j = load_organisations(path=DATA_DIR / f"{code}.toml")
    load_catalogue(path=catalogue_data_file(code))
    unit = {u.code: u for u in Unit.objects.filter(jurisdiction=j)}
    park, township = unit[park_code], Unit.objects.filter(jurisdiction=j, kind=Unit.Kind.TOWNSHIP).first()
    enterprise = ApplicantFactory.create(jurisdiction=j, name=f"{mark}建设有限公司")
    project = ProjectFactory.create(applicant=enterprise, location=park, name=f"{mark}产业园项目")
    other_enterprise = ApplicantFactory.create(jurisdiction=j, name=f"另一家企业{code}")
    ProjectFactory.create(applicant=other_enterprise, location=township, name=f"另一家企业的项目{code}")
    people = {
        APPLICANT: _representative(enterprise),
        OTHER_APPLICANT: _representative(other_enterprise),
        CLERK: _staff(Role.CLERK, j, unit["zwzx"]),
        COORD: _staff(Role.COORDINATOR, j, park),
        OTHER_COORD: _staff(Role.COORDINATOR, j, unit["zjw"]),
        AGENT: _staff(Role.AGENT, j, park),
        OTHER_AGENT: _staff(Role.AGENT, j, park),
        REVIEWER: _staff(Role.SECTION_REVIEWER, j, zjw="spk", fgw="tzk", gzj="ghk"),
        HALL: _staff(Role.HALL_MANAGER, j, unit["zwzx"]),
        SUPERVISOR: _staff(Role.SUPERVISOR, j, unit[office_code]),
        ADMIN: _staff(Role.ADMINISTRATOR, j),
    }
    rep, coord, agent, reviewer, supervisor = (
        people[p] for p in (APPLICANT, COORD, AGENT, REVIEWER, SUPERVISOR)
    )
    items = {i.code: i for i in ApprovalItem.objects.filter(jurisdiction=j)}
    filing, permit, land = (
        items["project-filing"],
        items["construction-permit"],
        items["land-use-planning-permit"],
    )

    def another_project(what: str) -> Project:
        """An open request covers its items for its project: each request of the scenario has its own."""
        return ProjectFactory.create(applicant=enterprise, location=park, name=f"{mark}{what}项目")

    def handled(chosen: list[ApprovalItem], project: Project, **extra: Any) -> ServiceRequest:
        request = submit_request(project=project, data=data(chosen, **extra), by=rep, channel="online")
        accept_request(request=request, by=coord)
        for item in request.items.all():
            assign_agent(item=item, agent=agent, by=coord)
        request.refresh_from_db()
        return request

    submitted = submit_request(project=another_project("仓储"), data=data([filing]), by=rep, channel="online")
    main = handled([filing, permit, land], project, documents=[pdf()])
    done, rated = handled([filing], another_project("配套")), handled([permit], another_project("研发楼"))
    refused_request = handled([land], another_project("厂房"))
    item_plan, item_review, item_stopped = (main.items.get(approval_item=i) for i in (filing, permit, land))

    move(D(2026, 11, 3))
    for request in (done, rated):
        item = request.items.get()
        deliver_it(file_it(item, agent, filed_on=D(2026, 11, 3)), agent, reviewer, decided_on=D(2026, 11, 3))
    for item in (item_review, item_stopped):
        item = file_it(item, agent, filed_on=D(2026, 11, 3))
        steps.start_review(item=item, by=reviewer, expected_version=item.version)
    refused_item = file_it(refused_request.items.get(), agent, filed_on=D(2026, 11, 3))
    refused_item = steps.refuse(
        item=refused_item,
        decided_on=D(2026, 11, 3),
        reason="用地性质不符合规划",
        by=reviewer,
        expected_version=refused_item.version,
    )

    move(D(2026, 11, 5))
    stop = steps.start_special_procedure(
        item=item_stopped, kind=ClockStop.Kind.PUBLICITY, start_on=D(2026, 11, 5), note="", by=reviewer
    )
    steps.record_chase(
        item=item_review,
        chased_on=D(2026, 11, 5),
        department=unit["zjw"],
        how="phone",
        answer=f"{INTERNAL_CHASE}：科长出差",
        next_step="",
        shared=False,
        by=agent,
    )

    move(D(2026, 11, 6))
    evaluation = evaluate(
        request=rated,
        agent=agent,
        by=rep,
        attitude=2,
        efficiency=2,
        integrity=2,
        comment=f"{mark}{HIDDEN_COMMENT}，拖了很久",
    )
    meeting = record_meeting(
        request=main,
        by=agent,
        data=MeetingData(
            held_on=D(2026, 11, 6),
            place="园区管委会",
            departments=[unit["zjw"]],
            participants="住建委、园区",
            topics=f"{mark}协调事项",
            decisions="住建委一周内出具意见",
            follow_ups=[
                FollowUpData(task="园区提供道路规划", owner_unit=park, due_on=D(2026, 11, 27)),
                FollowUpData(task="住建委出具审查意见", owner_unit=unit["zjw"], due_on=D(2026, 11, 27)),
            ],
        ),
    )
    milestone = add_milestone(
        request=main,
        name=f"{mark}签订土地合同",
        on=D(2026, 11, 10),
        after_item=None,
        after_days=0,
        before_items=[item_plan],
        by=agent,
    )
    question = Question(topic=Consultation.Topic.PROCESS, question=f"{mark}施工许可需要哪些材料？请说明")
    consultation_open = ask_question(applicant=enterprise, data=question, by=rep)
    consultation_answered = answer_consultation(
        consultation=ask_question(applicant=enterprise, data=question, by=rep),
        answer="见办事指南第三条",
        by=agent,
    )
    issue_open = raise_issue_from_item(
        item=item_review, title=f"{mark}消防意见未出", description="消防审查意见迟迟未出需协调", by=agent
    )
    issue_assigned = raise_issue(
        jurisdiction=j,
        unit=park,
        title=f"{mark}园区道路未通",
        description="园区道路未通影响施工许可",
        by=coord,
    )
    assign_issue(issue=issue_assigned, assignee=agent, working_days=5, by=supervisor)
    issue_resolved = raise_issue_from_item(
        item=item_review, title=f"{mark}图审意见未回", description="图审意见迟迟未回需协调", by=agent
    )
    assign_issue(issue=issue_resolved, assignee=agent, working_days=5, by=supervisor)
    resolve_issue(issue=issue_resolved, resolution="已协调解决", by=supervisor)
    inspection = record_inspection(
        jurisdiction=j,
        held_on=D(2026, 11, 6),
        units=[park],
        inspectors="工改办",
        scope=f"{mark}专项督查",
        findings="材料清单未及时更新",
        actions=[ActionData(unit=park, action="更新材料清单", due_on=D(2026, 11, 27))],
        by=supervisor,
    )
    forum = record_forum(
        jurisdiction=j,
        data=ForumData(
            held_on=D(2026, 6, 1),
            place=f"{mark}会议室",
            host="工改办主任",
            enterprises="某企业",
            attendees="企业代表两人",
            opinions=["施工许可材料要求不一致，希望统一"],
        ),
        by=supervisor,
    )
    working_group = WorkingGroup.objects.create(
        jurisdiction=j, name=f"{mark}工作组", office=unit[office_code]
    )
    WorkingGroupMember.objects.create(  # a seat the office may have filled by a replacement
        group=working_group, user=agent, position="member", unit=park, joined_on=D(2026, 1, 5)
    )
    policy = PolicyDocument.objects.create(
        jurisdiction=j,
        title=f"{mark}减免政策",
        issuer="县政府",
        issued_on=D(2026, 1, 5),
        category=PolicyDocument.Category.TAX_FEE,
        summary="减免城市基础设施配套费",
        is_published=True,
    )
    faq = FaqEntry.objects.create(
        jurisdiction=j, question="备案要多久？", answer="即时办结。", published_by=agent
    )
    walk_in = ApplicantFactory.create(
        jurisdiction=j, name=f"{mark}窗口登记企业", contact_mobile=f"139{code}01"
    )
    walk_in_waiting = ApplicantFactory.create(
        jurisdiction=j, name=f"{mark}待激活企业", contact_mobile=f"139{code}02"
    )
    open_walk_in_account(applicant=walk_in_waiting, full_name="待激活联系人", by=people[CLERK])
    return Side(
        walk_in=walk_in,
        walk_in_waiting=walk_in_waiting,
        jurisdiction=j,
        mark=mark,
        people=people,
        enterprise=enterprise,
        project=project,
        submitted=submitted,
        main=main,
        item_plan=item_plan,
        item_review=item_review,
        item_stopped=item_stopped,
        line=item_plan.checklist.order_by("id").first(),
        stop=stop,
        document=main.documents.get(),
        milestone=milestone,
        follow_up=meeting.follow_ups.get(owner_unit=park),
        done=done,
        done_item=done.items.get(),
        refused_item=refused_item,
        rated=rated,
        evaluation=evaluation,
        rectification=Rectification.objects.get(evaluation=evaluation),
        consultation_open=consultation_open,
        consultation_answered=consultation_answered,
        issue_open=issue_open,
        issue_assigned=issue_assigned,
        issue_resolved=issue_resolved,
        inspection=inspection,
        forum=forum,
        action=inspection.actions.get(),
        park=park,
        working_group=working_group,
        notification=Notification.objects.filter(recipient=rep).latest("id"),
        policy=policy,
        faq=faq,
    )


# ---------------------------------------------------------------------------------------------------------
# The table.
# ---------------------------------------------------------------------------------------------------------

OK = "ok"  # GET: the page (status `Row.status`); POST: the step is done (redirect, and it changed something)
REDIRECT = "redirect"  # sent elsewhere (`Row.redirect_to`)
LOGIN = "login"  # anonymous: sent to sign in
FORBIDDEN = "forbidden"  # 403 from the URL's permission rule (the role may not use the URL at all)
DENIED = "denied"  # 403 from the view (the role may use the URL, not on this object)
HIDDEN = "hidden"  # 404: not theirs to see
REJECTED = "rejected"  # POST: back to the page with the service's reason; nothing saved
REST = frozenset({"*"})  # every signed-in persona not named in another set of the row


@dataclass(frozen=True)
class Post:
    """What a POST sends and what it changes (read back fresh); `ok` on a page that is also a form: who may
    POST it — the others who may GET it are refused with 403."""

    payload: Callable[[Side], dict[str, Any]]
    changes: Callable[[Side], object]
    ok: frozenset[str] | None = None


@dataclass(frozen=True)
class Row:
    """One URL name: how to fill its URL from a side's objects, and each persona's outcome (one set per
    outcome; `REST` stands for the signed-in personas no other set names; anonymous visitors are sent to sign
    in unless a set names them). Build rows with `page` (GET, maybe also a form: `post`) or `step`."""

    kwargs: Callable[[Side], dict[str, Any]] | None = None
    query: Callable[[Side], str] | None = None
    ok: frozenset[str] = frozenset()
    redirect: frozenset[str] = frozenset()
    forbidden: frozenset[str] = frozenset()
    denied: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    rejected: frozenset[str] = frozenset()
    post: Post | None = None
    post_only: bool = False
    status: int = 200
    redirect_to: str = "home"
    outcomes: dict[str, str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        named: dict[str, str] = {}
        rest = None
        for outcome in (OK, REDIRECT, FORBIDDEN, DENIED, HIDDEN, REJECTED):
            personas = getattr(self, outcome if outcome != OK else "ok")
            if personas is REST:
                assert rest is None, "REST used twice"
                rest = outcome
                continue
            for persona in personas:
                assert persona in EVERYONE, persona
                assert persona not in named, f"{persona} is both {named[persona]} and {outcome}"
                named[persona] = outcome
        for persona in PERSONAS:
            if persona not in named:
                assert persona == ANON or rest, f"no outcome for {persona}"
                named[persona] = LOGIN if persona == ANON else rest  # type: ignore[assignment]
        object.__setattr__(self, "outcomes", named)

    @property
    def owned(self) -> bool:
        """The URL names an object (or a county): the wrong-owner test applies."""
        return bool(self.kwargs or self.query) and self.outcomes[ANON] == LOGIN


def page(kwargs: Callable[[Side], dict[str, Any]] | None = None, **outcomes: Any) -> Row:
    return Row(kwargs=kwargs, **{k: v if v is REST else frozenset(v) for k, v in outcomes.items()})


def step(kwargs: Callable[[Side], dict[str, Any]] | None, post: Post, **outcomes: Any) -> Row:
    """A POST-only URL: a GET by anyone the rule lets in answers 405."""
    return Row(
        kwargs=kwargs,
        post=post,
        post_only=True,
        **{k: v if v is REST else frozenset(v) for k, v in outcomes.items()},
    )


def fresh(obj: Any, attribute: str) -> object:
    return type(obj).objects.filter(pk=obj.pk).values_list(attribute, flat=True).first()


def day(offset: int = -1) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


MAIN = lambda s: {"pk": s.main.pk}  # noqa: E731
ITEM_PLAN = lambda s: {"pk": s.main.pk, "item_pk": s.item_plan.pk}  # noqa: E731
ITEM_REVIEW = lambda s: {"pk": s.main.pk, "item_pk": s.item_review.pk}  # noqa: E731
NOTHING: Callable[[Side], dict[str, Any]] = lambda s: {}  # noqa: E731

# fmt: off
TABLE: dict[str, Row] = {
    # ---- portal, sign-in, language, health ----
    "landing": page(ok={ANON}, redirect=REST),
    "home": page(ok=REST),
    "login": page(ok={ANON} | SIGNED_IN),
    "logout": step(None, Post(NOTHING, lambda s: _session_count()), ok=REST),
    "sign_up": page(ok={ANON}, redirect=REST),
    "set_language": replace(page(redirect={ANON} | SIGNED_IN), redirect_to="/"),
    "healthz": page(ok={ANON} | SIGNED_IN),
    "admin_sign_in": replace(page(redirect={ANON} | SIGNED_IN), redirect_to="/accounts/login/?next=/admin/"),
    # ---- accounts ----
    "accounts:account": page(ok=REST),
    "accounts:password_change": page(ok=REST),
    "accounts:password_reset": page(ok={ANON} | SIGNED_IN),
    # Those the second factor is required of have a device; the others are offered enrolment.
    "accounts:otp_verify": replace(
        page(ok={COORD, OTHER_COORD, REVIEWER, SUPERVISOR, OTHER_SUPERVISOR, CITY, ADMIN, ROOT}, redirect=REST),
        redirect_to="/accounts/second-factor/enrol/?next=%2Fhome%2F",
    ),
    "accounts:otp_enrol": page(ok=REST),
    "accounts:sign_out_everywhere": step(None, Post(NOTHING, lambda s: _session_count()), ok=REST),
    "admin_sign_out": step(None, Post(NOTHING, lambda s: _session_count()), ok=REST),
    "accounts:password_reset_confirm": page(ok={ANON} | SIGNED_IN),
    "accounts:lockouts": page(ok={ADMIN, ROOT}, forbidden=REST),
    "accounts:unlock": step(
        lambda s: {"pk": s.people[AGENT].pk}, Post(NOTHING, lambda s: _unlocks_of(s.people[AGENT])),
        ok={ADMIN, ROOT}, forbidden=REST,
    ),
    "accounts:activate": page(ok={ANON} | SIGNED_IN),
    "accounts:walk_in_account": replace(
        page(lambda s: {"pk": s.walk_in.pk}, ok={CLERK, ADMIN, ROOT}, forbidden=REST),
        post=Post(lambda s: {"full_name": "窗口联系人"},
                  lambda s: ApplicantRepresentative.objects.filter(applicant=s.walk_in).count()),
    ),
    "accounts:resend_activation": step(
        lambda s: {"pk": s.walk_in_waiting.pk},
        Post(NOTHING, lambda s: ResetCode.objects.filter(user__represents__applicant=s.walk_in_waiting).count()),
        ok={CLERK, ADMIN, ROOT}, forbidden=REST,
    ),
    "readyz": page(ok={ANON} | SIGNED_IN),
    "metrics": page(hidden={ANON} | SIGNED_IN),  # no DAIBAN_METRICS_TOKEN here: the endpoint does not exist
    "operations_status": page(ok={ROOT}, forbidden=REST),
    # ---- the public catalogue ----
    "catalogue:item_list": page(ok={ANON} | SIGNED_IN),
    "catalogue:faq": page(ok={ANON} | SIGNED_IN),
    "catalogue:policy_list": page(ok={ANON} | SIGNED_IN),
    "catalogue:policy_detail": page(lambda s: {"pk": s.policy.pk}, ok={ANON} | SIGNED_IN),
    "catalogue:item_detail": page(lambda s: {"code": s.jurisdiction.code, "item_code": "project-filing"}, ok={ANON} | SIGNED_IN),
    # ---- API reference page (the API's own routes, namespace "api", have their endpoint × scope table in
    # daiban/api/tests/test_endpoint_scopes.py) ----
    "api_docs": page(ok={ANON} | SIGNED_IN),
    "api_conflicts": page(ok={COORD, OTHER_COORD}, forbidden=REST),
    # ---- requests ----
    "cases:request_list": page(ok=REST),
    "cases:item_list": page(ok=REST),
    "cases:request_create": page(ok=APPLICANTS, forbidden=REST),
    "cases:window_request_create": page(ok={CLERK}, forbidden=REST),
    "cases:dispatch": page(ok={COORD, OTHER_COORD}, forbidden=REST),
    "cases:worklist": page(ok={AGENT, OTHER_AGENT}, forbidden=REST),
    "cases:request_detail": page(MAIN, ok=SEES_REQUEST, hidden=REST),
    "cases:request_contact": page(MAIN, ok=SEES_REQUEST, hidden=REST),
    # an online request has no window receipt: 404 for everyone (the window case: cases/tests/test_window_receipt.py)
    "cases:window_receipt": page(MAIN, hidden=REST),
    "cases:request_accept": step(
        lambda s: {"pk": s.submitted.pk}, Post(NOTHING, lambda s: fresh(s.submitted, "state")),
        ok={COORD}, hidden={OTHER_COORD}, forbidden=REST,
    ),
    "cases:request_decline": step(
        lambda s: {"pk": s.submitted.pk}, Post(lambda s: {"reason": "不属于帮代办服务范围"}, lambda s: fresh(s.submitted, "state")),
        ok={COORD}, hidden={OTHER_COORD}, forbidden=REST,
    ),
    # Per item (ADR 0022): only a coordinator of the item's responsible unit (the park, for ours' park project).
    "cases:item_accept": step(
        lambda s: {"pk": s.submitted.pk, "item_pk": s.submitted.items.get().pk},
        Post(lambda s: {"version": fresh(s.submitted.items.get(), "version")},
             lambda s: fresh(s.submitted.items.get(), "acceptance")),
        ok={COORD}, hidden={OTHER_COORD}, forbidden=REST,
    ),
    "cases:item_decline": step(
        lambda s: {"pk": s.submitted.pk, "item_pk": s.submitted.items.get().pk},
        Post(lambda s: {f"decline{s.submitted.items.get().pk}-reason": "不属于帮代办服务范围",
                        f"decline{s.submitted.items.get().pk}-version": fresh(s.submitted.items.get(), "version")},
             lambda s: fresh(s.submitted.items.get(), "acceptance")),
        ok={COORD}, hidden={OTHER_COORD}, forbidden=REST,
    ),
    "cases:request_withdraw": step(
        lambda s: {"pk": s.submitted.pk}, Post(NOTHING, lambda s: fresh(s.submitted, "state")),
        ok={APPLICANT}, hidden={OTHER_APPLICANT}, forbidden=REST,
    ),
    "cases:item_assign": step(
        ITEM_PLAN,
        Post(lambda s: {f"item{s.item_plan.pk}-agent": s.people[OTHER_AGENT].pk, f"item{s.item_plan.pk}-reason": "调整分工"},
             lambda s: fresh(s.item_plan, "agent")),
        ok={COORD}, hidden={OTHER_COORD}, forbidden=REST,
    ),
    "cases:items_assign": step(
        MAIN,
        Post(lambda s: {"bulk-items": [s.item_plan.pk], "bulk-agent": s.people[OTHER_AGENT].pk, "bulk-reason": "调整分工"},
             lambda s: fresh(s.item_plan, "agent")),
        ok={COORD}, hidden={OTHER_COORD}, forbidden=REST,
    ),
    "cases:document_download": page(lambda s: {"pk": s.main.pk, "doc_pk": s.document.pk}, ok=SEES_REQUEST, hidden=REST),
    "cases:visit_create": step(
        MAIN,
        Post(lambda s: {"visited_on": day(), "place": "企业办公室", "people_met": "张经理", "note": "", "document_kind": "material"},
             lambda s: Visit.objects.filter(request=s.main).count()),
        ok={AGENT}, hidden={OTHER_AGENT}, forbidden=REST,
    ),
    "cases:item_detail": page(ITEM_PLAN, ok=SEES_REQUEST, hidden=REST),
    "cases:chase_create": step(
        ITEM_REVIEW,
        Post(lambda s: {"chased_on": day(), "department": s.item_review.approval_item.department_id, "how": "phone",
                        "answer": "正在审查", "next_step": "", "shared": "on"},
             lambda s: ChaseRecord.objects.filter(case_item=s.item_review).count()),
        ok={AGENT}, hidden={OTHER_AGENT}, forbidden=REST,
    ),
    "cases:delivery_receipt": page(lambda s: {"pk": s.done.pk, "item_pk": s.done_item.pk}, ok=SEES_REQUEST, hidden=REST),
    "cases:refusal_notice_deliver": step(
        lambda s: {"pk": s.refused_item.request_id, "item_pk": s.refused_item.pk},
        Post(lambda s: {"method": "in_person", "delivered_on": day(), "recipient": "张经理"},
             lambda s: RefusalNotice.objects.filter(case_item=s.refused_item).count()),
        ok={AGENT}, denied=SEES_REQUEST - {AGENT}, hidden=REST,
    ),
    "cases:item_step": step(
        lambda s: ITEM_PLAN(s) | {"action": "start_collecting"},
        Post(lambda s: {"version": fresh(s.item_plan, "version")}, lambda s: fresh(s.item_plan, "state")),
        ok={AGENT}, denied=SEES_REQUEST - {AGENT}, hidden=REST,
    ),
    "cases:checklist_update": step(
        lambda s: ITEM_PLAN(s) | {"line_pk": s.line.pk},
        Post(lambda s: {"status": "received", "promised_on": "", "note": ""}, lambda s: fresh(s.line, "status")),
        ok={AGENT}, denied=SEES_REQUEST - {AGENT}, hidden=REST,
    ),
    "cases:checklist_save": step(
        ITEM_PLAN,
        Post(lambda s: {"all_received": "1"}, lambda s: fresh(s.line, "status")),
        ok={AGENT}, denied=SEES_REQUEST - {AGENT}, hidden=REST,
    ),
    "cases:procedure_start": step(
        ITEM_REVIEW,
        Post(lambda s: {"kind": "expert_review", "start_on": day(), "note": ""}, lambda s: s.item_review.stops.count()),
        ok={REVIEWER}, denied=SEES_REQUEST - {REVIEWER}, hidden=REST,
    ),
    "cases:procedure_end": step(
        lambda s: {"pk": s.main.pk, "item_pk": s.item_stopped.pk, "stop_pk": s.stop.pk},
        Post(lambda s: {"end_on": day()}, lambda s: fresh(s.stop, "end_on")),
        ok={REVIEWER}, denied=SEES_REQUEST - {REVIEWER}, hidden=REST,
    ),
    # ---- notifications ----
    "notifications:inbox": page(ok=REST),
    "notifications:read": step(
        lambda s: {"pk": s.notification.pk}, Post(NOTHING, lambda s: fresh(s.notification, "read_at")),
        ok={APPLICANT}, hidden=REST,
    ),
    # ---- oversight ----
    "oversight:dashboard": page(ok=DASHBOARD_VIEWERS, forbidden=REST),
    "oversight:dashboard_items": page(ok=DASHBOARD_VIEWERS, forbidden=REST),
    "service_levels:promises": page(ok=DASHBOARD_VIEWERS | {AGENT, OTHER_AGENT}, forbidden=REST),
    "oversight:ranking": page(ok=SUPERVISORS, forbidden=REST),
    "oversight:inspection_list": page(ok=DASHBOARD_VIEWERS, forbidden=REST),
    "oversight:inspection_create": page(ok=SUPERVISORS, forbidden=REST),
    "oversight:inspection_detail": page(
        lambda s: {"pk": s.inspection.pk}, ok={SUPERVISOR, CITY, COORD}, hidden={OTHER_COORD, OTHER_SUPERVISOR}, forbidden=REST,
    ),
    "oversight:forum_list": page(ok=SUPERVISORS, forbidden=REST),
    "oversight:forum_create": page(ok=SUPERVISORS, forbidden=REST),
    "oversight:forum_detail": page(
        lambda s: {"pk": s.forum.pk}, ok={SUPERVISOR, CITY}, hidden={OTHER_SUPERVISOR}, forbidden=REST,
    ),
    "oversight:opinion_raise": step(
        lambda s: {"pk": s.forum.pk, "opinion_pk": s.forum.opinions.get().pk},
        Post(lambda s: {"unit": s.park.pk}, lambda s: ForumOpinion.objects.get(forum=s.forum).issue_id),
        ok={SUPERVISOR, CITY}, hidden={OTHER_SUPERVISOR}, forbidden=REST,
    ),
    "oversight:required_action_done": step(
        lambda s: {"pk": s.inspection.pk, "action_pk": s.action.pk},
        Post(lambda s: {"done_on": day(), "note": "已更新"}, lambda s: fresh(s.action, "done_on")),
        ok={COORD}, denied={SUPERVISOR, CITY}, hidden={OTHER_COORD, OTHER_SUPERVISOR}, forbidden=REST,
    ),
    "oversight:ledger_list": page(ok=DASHBOARD_VIEWERS, forbidden=REST),
    "oversight:ledger_export": replace(
        page(ok={SUPERVISOR, CITY}, hidden={OTHER_SUPERVISOR}, forbidden=REST), query=lambda s: f"j={s.jurisdiction.code}",
    ),
    "oversight:ledger_detail": replace(
        page(lambda s: {"unit_pk": s.park.pk, "year": 2026, "quarter": 3},
             ok={SUPERVISOR, CITY, COORD}, hidden={OTHER_COORD, OTHER_SUPERVISOR}, forbidden=REST),
        post=Post(lambda s: {"annotation": "本季度无特殊情况"},
                  lambda s: QuarterlyLedger.objects.filter(unit=s.park).count(), ok=frozenset({COORD})),
    ),
    "oversight:audit_list": page(ok={SUPERVISOR, OTHER_SUPERVISOR, CITY, ADMIN}, forbidden=REST),
    "oversight:audit_export": page(ok={SUPERVISOR, OTHER_SUPERVISOR, CITY, ADMIN}, forbidden=REST),
    "oversight:issue_list": page(ok=STAFF, forbidden=REST),
    "oversight:issue_create": page(ok={COORD, OTHER_COORD, AGENT, OTHER_AGENT}, forbidden=REST),
    "oversight:issue_detail": page(
        lambda s: {"pk": s.issue_open.pk}, ok={SUPERVISOR, CITY, ROOT, AGENT, COORD}, forbidden=APPLICANTS, hidden=REST,
    ),
    "oversight:issue_assign": step(
        lambda s: {"pk": s.issue_open.pk},
        Post(lambda s: {"assignee": s.people[AGENT].pk, "working_days": 5}, lambda s: fresh(s.issue_open, "status")),
        ok={SUPERVISOR, CITY, ROOT}, denied={AGENT, COORD}, forbidden=APPLICANTS, hidden=REST,
    ),
    "oversight:issue_follow_up": step(
        lambda s: {"pk": s.issue_assigned.pk}, Post(lambda s: {"text": "已电话协调住建委"}, lambda s: s.issue_assigned.notes.count()),
        ok={SUPERVISOR, CITY, ROOT, AGENT}, denied={COORD}, forbidden=APPLICANTS, hidden=REST,
    ),
    "oversight:issue_resolve": step(
        lambda s: {"pk": s.issue_assigned.pk}, Post(lambda s: {"text": "道路已打通"}, lambda s: fresh(s.issue_assigned, "status")),
        ok={SUPERVISOR, CITY, ROOT, AGENT}, denied={COORD}, forbidden=APPLICANTS, hidden=REST,
    ),
    "oversight:issue_reopen": step(
        lambda s: {"pk": s.issue_resolved.pk}, Post(lambda s: {"text": "图审意见仍未回复"}, lambda s: fresh(s.issue_resolved, "status")),
        ok={SUPERVISOR, CITY, ROOT}, denied={AGENT, COORD}, forbidden=APPLICANTS, hidden=REST,
    ),
    "oversight:raise_from_item": step(
        lambda s: {"item_pk": s.item_review.pk},
        Post(lambda s: {"title": "审查超时", "description": "审查已超时需要协调处理"},
             lambda s: CoordinationIssue.objects.filter(case_item=s.item_review).count()),
        ok={AGENT}, hidden={OTHER_AGENT}, forbidden=REST,
    ),
    # ---- feedback ----
    "feedback:evaluate": page(lambda s: {"pk": s.done.pk}, ok={APPLICANT}, hidden={OTHER_APPLICANT}, forbidden=REST),
    "feedback:complain": replace(
        page(lambda s: {"pk": s.done.pk}, ok={APPLICANT}, hidden={OTHER_APPLICANT}, forbidden=REST),
        post=Post(lambda s: {"agent": "", "text": "代办员多次失约，进度无人告知"},
                  lambda s: Rectification.objects.filter(request=s.done).count()),
    ),
    # 一事一评: anyone holding a valid link (no sign-in); a made-up token is refused (400) for everyone
    "feedback:rate_item": page(lambda s: {"token": rating_token(s.done_item.pk)}, ok={ANON} | SIGNED_IN),
    "feedback:evaluation_list": page(ok=REST),
    "feedback:evaluation_release": step(
        lambda s: {"pk": s.evaluation.pk}, Post(NOTHING, lambda s: fresh(s.evaluation, "released_at")),
        ok={SUPERVISOR, CITY}, hidden={OTHER_SUPERVISOR}, forbidden=REST,
    ),
    "feedback:callback_list": page(ok={HALL}, forbidden=REST),
    "feedback:callback_contact": page(lambda s: {"pk": s.done.pk}, ok={HALL}, forbidden=REST),
    "feedback:callback_create": replace(
        page(lambda s: {"pk": s.done.pk}, ok={HALL}, forbidden=REST),
        post=Post(lambda s: {"called_on": day(), "method": "phone", "reached": "yes", "contact_person": "张经理",
                             "overall": "5", "asked_for_money": "no", "remarks": "", "complaint": ""},
                  lambda s: Callback.objects.filter(request=s.done).count()),
    ),
    "feedback:rectification_list": page(ok=REST),
    "feedback:rectification_detail": page(
        lambda s: {"pk": s.rectification.pk}, ok={COORD, APPLICANT, SUPERVISOR, CITY, ROOT}, hidden=REST,
    ),
    "feedback:rectification_owner": step(
        lambda s: {"pk": s.rectification.pk},
        Post(lambda s: {"owner": s.people[SUPERVISOR].pk}, lambda s: fresh(s.rectification, "owner")),
        ok={SUPERVISOR, CITY}, hidden={OTHER_SUPERVISOR}, forbidden=REST,
    ),
    "feedback:rectification_step": step(
        lambda s: {"pk": s.rectification.pk, "action": "report"},
        Post(lambda s: {"note": "已约谈代办员，整改到位"}, lambda s: fresh(s.rectification, "status")),
        ok={COORD}, denied={APPLICANT, SUPERVISOR, CITY, ROOT}, hidden=REST,
    ),
    # ---- assistance ----
    "assistance:consultation_list": page(ok=REST),
    "assistance:consultation_create": page(ok=APPLICANTS, forbidden=REST),
    "assistance:consultation_record": page(ok={AGENT, OTHER_AGENT, CLERK, HALL}, forbidden=REST),
    "assistance:consultation_detail": page(
        lambda s: {"pk": s.consultation_open.pk}, hidden={OTHER_APPLICANT, OTHER_SUPERVISOR}, ok=REST,
    ),
    "assistance:consultation_contact": page(
        lambda s: {"pk": s.consultation_open.pk}, hidden={OTHER_APPLICANT, OTHER_SUPERVISOR}, ok=REST,
    ),
    "assistance:consultation_answer": step(
        lambda s: {"pk": s.consultation_open.pk},
        Post(lambda s: {"answer": "请按办事指南准备材料"}, lambda s: fresh(s.consultation_open, "answered_at")),
        ok={AGENT, OTHER_AGENT, ROOT}, hidden={OTHER_APPLICANT, OTHER_SUPERVISOR}, denied=REST,
    ),
    "assistance:consultation_publish": step(
        lambda s: {"pk": s.consultation_answered.pk},
        Post(lambda s: {"question": "施工许可需要准备哪些材料？", "answer": "见办事指南第三条"},
             lambda s: fresh(s.consultation_answered, "faq_entry")),
        ok={AGENT, OTHER_AGENT, SUPERVISOR, CITY, ROOT}, hidden={OTHER_APPLICANT, OTHER_SUPERVISOR}, denied=REST,
    ),
    "assistance:meeting_list": replace(
        page(MAIN, ok=SEES_REQUEST | {OTHER_COORD}, hidden=REST),
        post=Post(lambda s: {"held_on": day(), "place": "住建委会议室", "departments": [s.item_review.approval_item.department_id],
                             "participants": "住建委、园区", "topics": "施工许可审查", "decisions": "一周内出具审查意见"},
                  lambda s: CoordinationMeeting.objects.filter(request=s.main).count(), ok=frozenset({AGENT})),
    ),
    "assistance:follow_up_done": step(
        lambda s: {"pk": s.main.pk, "follow_up_pk": s.follow_up.pk},
        Post(lambda s: {"done_on": day(), "note": "已出具"}, lambda s: fresh(s.follow_up, "done_on")),
        ok={AGENT, COORD}, denied=SEES_REQUEST - {AGENT, COORD} | {OTHER_COORD}, hidden=REST,
    ),
    # ---- planning ----
    "planning:request_plan": page(MAIN, ok=SEES_REQUEST, hidden=REST),
    "planning:request_plan_pdf": page(MAIN, ok=SEES_REQUEST, hidden=REST),
    "planning:milestone_add": step(
        MAIN,
        Post(lambda s: {"name": "取得规划条件", "on": day(5), "after_days": "0", "before_items": [s.item_review.pk]},
             lambda s: PlanMilestone.objects.filter(request=s.main).count()),
        ok={AGENT}, hidden={OTHER_AGENT}, forbidden=REST,
    ),
    "planning:milestone_remove": step(
        lambda s: {"pk": s.main.pk, "milestone_pk": s.milestone.pk},
        Post(NOTHING, lambda s: PlanMilestone.objects.filter(pk=s.milestone.pk).exists()),
        ok={AGENT}, hidden={OTHER_AGENT}, forbidden=REST,
    ),
    "planning:construction_period": step(
        MAIN,
        Post(lambda s: {"days": "300"}, lambda s: ConstructionPeriod.objects.filter(request=s.main).exists()),
        ok={AGENT}, hidden={OTHER_AGENT}, forbidden=REST,
    ),
    "planning:item_adjust": step(
        ITEM_PLAN,
        Post(lambda s: {"start_on": day(5)}, lambda s: PlanAdjustment.objects.filter(case_item=s.item_plan).exists()),
        ok={AGENT}, hidden={OTHER_AGENT}, forbidden=REST,
    ),
    # ---- organisations ----
    "organizations:unit_list": page(ok=STAFF, forbidden=REST),
    "organizations:working_group_detail": page(
        lambda s: {"pk": s.working_group.pk}, hidden={OTHER_SUPERVISOR}, forbidden=APPLICANTS, ok=REST,
    ),
    "organizations:working_group_change": step(
        lambda s: {"pk": s.working_group.pk},
        Post(lambda s: {"leaving": s.working_group.members.get().pk, "replacement": s.people[COORD].pk,
                        "filed_on": day(), "reason": "工作调动"},
             lambda s: WorkingGroupChange.objects.filter(group=s.working_group).count()),
        ok={SUPERVISOR}, hidden={OTHER_SUPERVISOR}, forbidden=APPLICANTS, denied=REST,
    ),
    # ---- enterprises and projects ----
    "projects:my_enterprises": page(ok=APPLICANTS, forbidden=REST),
    "projects:applicant_edit": replace(
        page(lambda s: {"pk": s.enterprise.pk}, ok={APPLICANT}, hidden={OTHER_APPLICANT}, forbidden=REST),
        post=Post(lambda s: {"name": s.enterprise.name, "uscc": s.enterprise.uscc, "contact_name": "李四",
                             "contact_mobile": "13900139000", "address": ""},
                  lambda s: fresh(s.enterprise, "contact_name")),
    ),
    "projects:project_list": page(ok=STAFF, forbidden=REST),
    "projects:project_create": page(ok=APPLICANTS, forbidden=REST),
    "projects:project_detail": page(
        lambda s: {"pk": s.project.pk}, hidden={OTHER_APPLICANT, OTHER_SUPERVISOR}, ok=REST,
    ),
    "projects:project_edit": replace(
        page(lambda s: {"pk": s.project.pk}, ok={APPLICANT}, hidden={OTHER_APPLICANT}, forbidden=REST),
        post=Post(lambda s: {"applicant": s.enterprise.pk, "name": s.project.name, "project_code": s.project.project_code,
                             "kind": s.project.kind, "location": s.park.pk, "address": "工业园区三号路",
                             "investment_amount": "1000", "land_area": "5000", "floor_area": "8000"},
                  lambda s: fresh(s.project, "address")),
    ),
}
# fmt: on


def _unlocks_of(user: User) -> int:
    return AuditEntry.objects.filter(verb="user.unlocked", target_id=str(user.pk)).count()


def _session_count() -> int:
    from django.contrib.sessions.models import Session

    return Session.objects.count()


# ---------------------------------------------------------------------------------------------------------
# The world: both sides built once for the module, in a transaction rolled back at its end.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class World:
    ours: Side
    theirs: Side
    users: dict[str, User]
    sessions: dict[str, str]

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != ANON:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def _sign_in(user: User) -> str:
    client = Client()
    sign_in_fully(client, user)  # the module-scoped world is built before the autouse force_login patch
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with pytest.MonkeyPatch.context() as patch:

                def move(to: dt.date) -> None:
                    patch.setattr(timezone, "now", lambda: at(to))

                seed_calendar_from_library()
                city = load_organisations(path=DATA_DIR / "500000.toml")
                ours = build_side("500242", park_code="gyyq", office_code="gaiban", mark=OURS_MARK, move=move)
                theirs = build_side(
                    "500111", park_code="gxq", office_code="jzxk-office", mark=THEIRS_MARK, move=move
                )
                move(TODAY)
                # The daily jobs: reminders and escalations (their notifications link to pages too).
                sweep_deadlines(today=TODAY)
                escalate_overdue_issues(today=TODAY)
                warn_permit_slips()
                users = ours.people | {
                    OTHER_SUPERVISOR: theirs.people[SUPERVISOR],
                    CITY: _staff(Role.SUPERVISOR, city),
                    ROOT: User.objects.create_superuser(username="matrix-root", password="pw-for-tests-1"),
                }
                sessions = {persona: _sign_in(user) for persona, user in users.items()}
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield World(ours=ours, theirs=theirs, users=users, sessions=sessions)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: at(TODAY))


# ---------------------------------------------------------------------------------------------------------
# Checking one answer.
# ---------------------------------------------------------------------------------------------------------


def url_names() -> set[str]:
    names = set()
    for _route, namespaces, pattern in _walk(get_resolver().url_patterns, "", ()):
        if any(ns in GOVERNED_NAMESPACES for ns in namespaces):
            continue
        assert pattern.name, f"{pattern} has no name"
        names.add(":".join((*namespaces, pattern.name)))
    return names


@functools.cache
def callbacks() -> dict[str, Callable[..., Any]]:
    found = {}
    for _route, namespaces, pattern in _walk(get_resolver().url_patterns, "", ()):
        if pattern.name:
            found[":".join((*namespaces, pattern.name))] = pattern.callback
    return found


def url_of(name: str, side: Side) -> str:
    row = TABLE[name]
    url = reverse(name, kwargs=row.kwargs(side) if row.kwargs else None)
    return f"{url}?{row.query(side)}" if row.query else url


def said(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def is_public(name: str) -> bool:
    rule = rule_of(callbacks()[name])
    return rule is not None and not rule.login_required


def check(response: Any, outcome: str, row: Row, where: str, *, posted: bool = False) -> None:
    status = response.status_code
    if outcome == OK and posted:
        assert status == 302, f"{where}: the step should be done (302), got {status} {said(response)}"
    elif outcome == OK:
        assert status == row.status, f"{where}: expected {row.status}, got {status}"
    elif outcome == REDIRECT:
        assert status == 302 and response["Location"] == resolve_url(row.redirect_to), (
            f"{where}: expected a redirect to {row.redirect_to}, got {status} {response.get('Location')}"
        )
    elif outcome == LOGIN:
        assert status == 302 and response["Location"].startswith(
            resolve_url(settings.LOGIN_URL) + "?next="
        ), f"{where}: expected the sign-in page, got {status} {response.get('Location')}"
    elif outcome in (FORBIDDEN, DENIED):
        assert status == 403, f"{where}: expected 403 ({outcome}), got {status}"
        refusal = AuditEntry.objects.filter(verb=AuditVerb.ACCESS_REFUSED).order_by("-id").first()
        assert refusal is not None and refusal.target_label.endswith(response.wsgi_request.path), (
            f"{where}: the refusal was not recorded in the audit trail"
        )
    elif outcome == HIDDEN:
        assert status == 404, f"{where}: expected 404, got {status}"
    elif outcome == REJECTED:
        assert status == 302, f"{where}: expected a redirect back with the reason, got {status}"
        assert any(level == "error" for level, _text in said(response)), f"{where}: no reason given"
    else:  # pragma: no cover
        raise AssertionError(outcome)


def shows_nothing_forbidden(response: Any, persona: str, where: str) -> None:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return
    content = response.content.decode()
    for mark in NEVER_SEES[persona]:
        assert mark not in content, f"{where}: the page shows “{mark}” to {persona}"


def footprint(post: Post, side: Side) -> tuple[object, int, int]:
    """What a refused POST must leave as it was: the object, the audit trail of writes (the refusal itself is
    recorded as `access.refused`: 等保 安全审计), the notifications."""
    writes = AuditEntry.objects.exclude(verb=AuditVerb.ACCESS_REFUSED).count()
    return post.changes(side), writes, Notification.objects.count()


def post_and_check(
    client: Client, url: str, post: Post, side: Side, outcome: str, row: Row, where: str
) -> None:
    before = footprint(post, side)
    response = client.post(url, post.payload(side))
    check(response, outcome, row, where, posted=True)
    after = footprint(post, side)
    if outcome == OK:
        assert after[0] != before[0], f"{where}: the step answered {response.status_code} but changed nothing"
    else:
        assert after == before, f"{where}: a refused POST changed something ({before} → {after})"


# ---------------------------------------------------------------------------------------------------------
# The tests.
# ---------------------------------------------------------------------------------------------------------


def test_every_url_name_has_a_row():
    names = url_names()
    assert sorted(names - set(TABLE)) == [], "URL names without a row in TABLE"
    assert sorted(set(TABLE) - names) == [], "rows in TABLE for URL names that no longer exist"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_rows_agree_with_the_permission_rules(world, name):
    """The table's 403-by-rule set is exactly who the URL's registered rule refuses; public rows are
    public."""
    rule = rule_of(callbacks()[name])
    assert rule is not None, f"{name} has no permission rule"
    row = TABLE[name]
    assert (row.outcomes[ANON] == LOGIN) == rule.login_required, f"{name}: anonymous visitors"
    refused = set()
    for persona, user in world.users.items():
        request = RequestFactory().get("/")
        request.user = User.objects.get(pk=user.pk)
        if not rule.check(request):
            refused.add(persona)
    assert refused == {p for p, outcome in row.outcomes.items() if outcome == FORBIDDEN}, rule.description


@pytest.mark.parametrize(("name", "persona"), [(n, p) for n in sorted(TABLE) for p in PERSONAS])
def test_url_as_persona(world, name, persona):
    row, side = TABLE[name], world.ours
    outcome = row.outcomes[persona]
    url = url_of(name, side)
    client = world.client(persona)
    where = f"{name} as {persona}"
    if row.post_only:
        get_outcome = outcome if outcome in (LOGIN, FORBIDDEN) else None
        response = client.get(url)
        if get_outcome:
            check(response, get_outcome, row, f"GET {where}")
        else:
            assert response.status_code == 405, f"GET {where}: expected 405, got {response.status_code}"
        assert row.post is not None
        post_and_check(client, url, row.post, side, outcome, row, f"POST {where}")
        return
    response = client.get(url)
    check(response, outcome, row, f"GET {where}")
    if not is_public(name):
        shows_nothing_forbidden(response, persona, f"GET {where}")
    if row.post is not None:
        post_outcome = outcome
        if outcome == OK and row.post.ok is not None and persona not in row.post.ok:
            post_outcome = DENIED
        post_and_check(client, url, row.post, side, post_outcome, row, f"POST {where}")


WRONG_OWNER = [
    (name, persona)
    for name, row in sorted(TABLE.items())
    if row.owned
    for persona in PERSONAS
    if persona in OURS and row.outcomes[persona] == OK
]


@pytest.mark.parametrize(("name", "persona"), WRONG_OWNER)
def test_wrong_owner(world, name, persona):
    """Allowed on ours' object, refused on the same URL with theirs (大足's), and nothing of theirs
    changes."""
    row, side = TABLE[name], world.theirs
    url = url_of(name, side)
    client = world.client(persona)
    where = f"{name} as {persona} on 大足's object"
    if not row.post_only:
        response = client.get(url)
        assert response.status_code == 404, f"GET {where}: expected 404, got {response.status_code}"
    if row.post is not None and (row.post_only or row.post.ok is None or persona in row.post.ok):
        before = footprint(row.post, side)
        response = client.post(url, row.post.payload(side))
        assert response.status_code == 404, f"POST {where}: expected 404, got {response.status_code}"
        assert footprint(row.post, side) == before, f"POST {where}: changed something"


def _child_keys() -> dict[str, list[str]]:
    """URL keywords naming an object inside the one named by `pk` (an item of a request, a line of an
    item…)."""
    found = {}
    for _route, namespaces, pattern in _walk(get_resolver().url_patterns, "", ()):
        keys = list(getattr(pattern.pattern, "converters", {}))
        children = [k for k in keys if k.endswith("pk") and k != "pk"]
        if "pk" in keys and children and pattern.name:
            found[":".join((*namespaces, pattern.name))] = children
    return found


CHILD_KEYS = _child_keys()
WRONG_CHILD = [
    (name, persona)
    for name in sorted(CHILD_KEYS)
    for persona in PERSONAS
    if persona in OURS and TABLE[name].outcomes[persona] == OK
]


@pytest.mark.parametrize(("name", "persona"), WRONG_CHILD)
def test_wrong_child(world, name, persona):
    """Ours' request (inspection…) with an item (line, stop, document…) of theirs in the URL: not found."""
    row = TABLE[name]
    assert row.kwargs is not None
    ours, theirs = row.kwargs(world.ours), row.kwargs(world.theirs)
    client = world.client(persona)
    for key in CHILD_KEYS[name]:
        url = reverse(name, kwargs=ours | {key: theirs[key]})
        where = f"{name} as {persona} with {key} of 大足"
        if not row.post_only:
            response = client.get(url)
            assert response.status_code == 404, f"GET {where}: expected 404, got {response.status_code}"
        if row.post is not None and row.post_only:
            before = footprint(row.post, world.ours), row.post.changes(world.theirs)
            response = client.post(url, row.post.payload(world.ours))
            assert response.status_code == 404, f"POST {where}: expected 404, got {response.status_code}"
            assert (footprint(row.post, world.ours), row.post.changes(world.theirs)) == before, where


@dataclass(frozen=True)
class Foreign:
    """A POST by a persona allowed to make it, once as given (it must succeed: the control) and once with
    `swap` putting theirs' objects in fields that must hold ours (it must save nothing)."""

    name: str
    persona: str
    swap: Callable[[Side, Side], dict[str, Any]]
    post: Post | None = None  # defaults to the URL's row


def _request_form(s: Side) -> dict[str, Any]:
    eia = ApprovalItem.objects.get(jurisdiction=s.jurisdiction, code="eia-report-form")
    return {
        "project": s.project.pk,
        "mode": "proxy",
        "approval_items": [eia.pk],
        "note": "",
        "consent": "on",
        "free_of_charge_acknowledged": "on",
    }


def _project_form(s: Side) -> dict[str, Any]:
    return {
        "applicant": s.enterprise.pk,
        "name": "新建厂房项目",
        "project_code": "2026-500242-47-03-900001",
        "kind": Project.Kind.NEW,
        "location": s.park.pk,
        "address": "",
        "investment_amount": "100",
        "land_area": "100",
        "floor_area": "100",
    }


QUESTION = {"topic": "process", "question": "办理施工许可一般需要多长时间？"}


def their_item(ours: Side, theirs: Side) -> dict[str, Any]:
    return {
        "approval_items": [
            ApprovalItem.objects.get(jurisdiction=theirs.jurisdiction, code="eia-report-form").pk
        ]
    }


# fmt: off
FOREIGN: dict[str, Foreign] = {
    "assign an agent of 大足": Foreign("cases:item_assign", COORD, lambda o, t: {f"item{o.item_plan.pk}-agent": t.people[AGENT].pk}),
    "bulk-assign an agent of 大足": Foreign("cases:items_assign", COORD, lambda o, t: {"bulk-items": [o.item_plan.pk], "bulk-agent": t.people[AGENT].pk, "bulk-reason": "调整分工"}),
    "bulk-assign an item of 大足": Foreign("cases:items_assign", COORD, lambda o, t: {"bulk-items": [t.item_plan.pk], "bulk-agent": o.people[OTHER_AGENT].pk, "bulk-reason": "调整分工"}),
    "chase a department of 大足": Foreign("cases:chase_create", AGENT, lambda o, t: {"department": t.item_review.approval_item.department_id}),
    "file a visit under an item of 大足": Foreign("cases:visit_create", AGENT, lambda o, t: {"case_item": t.item_plan.pk}),
    "give an issue to an agent of 大足": Foreign("oversight:issue_assign", SUPERVISOR, lambda o, t: {"assignee": t.people[AGENT].pk}),
    "give a rectification to 大足's supervisor": Foreign("feedback:rectification_owner", SUPERVISOR, lambda o, t: {"owner": t.people[SUPERVISOR].pk}),
    "make an item of 大足 wait for a milestone": Foreign("planning:milestone_add", AGENT, lambda o, t: {"before_items": [t.item_review.pk]}),
    "invite a unit of 大足 to a meeting": Foreign("assistance:meeting_list", AGENT, lambda o, t: {"departments": [t.item_review.approval_item.department_id]}),
    "complain about 大足's agent": Foreign("feedback:complain", APPLICANT, lambda o, t: {"agent": t.people[AGENT].pk}),
    "apply for 大足's project": Foreign("cases:request_create", APPLICANT, lambda o, t: {"project": t.project.pk},
                                      Post(_request_form, lambda s: ServiceRequest.objects.count())),
    "apply for an item of 大足's catalogue": Foreign("cases:request_create", APPLICANT, their_item,
                                                 Post(_request_form, lambda s: ServiceRequest.objects.count())),
    "register a project for 大足's enterprise": Foreign("projects:project_create", APPLICANT, lambda o, t: {"applicant": t.enterprise.pk},
                                                    Post(_project_form, lambda s: Project.objects.count())),
    "register a project in 大足's park": Foreign("projects:project_create", APPLICANT, lambda o, t: {"location": t.park.pk},
                                             Post(_project_form, lambda s: Project.objects.count())),
    "ask for 大足's enterprise": Foreign("assistance:consultation_create", APPLICANT, lambda o, t: {"applicant": t.enterprise.pk},
                                       Post(lambda s: QUESTION | {"applicant": s.enterprise.pk}, lambda s: Consultation.objects.count())),
    "ask about an item of 大足": Foreign("assistance:consultation_create", APPLICANT, their_item,
                                       Post(lambda s: QUESTION | {"applicant": s.enterprise.pk}, lambda s: Consultation.objects.count())),
    "record a question for 大足": Foreign("assistance:consultation_record", AGENT, lambda o, t: {"jurisdiction": t.jurisdiction.pk},
                                        Post(lambda s: QUESTION | {"jurisdiction": s.jurisdiction.pk, "channel": "phone", "asker_name": "王先生"},
                                             lambda s: Consultation.objects.count())),
    "record a question of 大足's enterprise": Foreign("assistance:consultation_record", AGENT, lambda o, t: {"uscc": t.enterprise.uscc},
                                                    Post(lambda s: QUESTION | {"jurisdiction": s.jurisdiction.pk, "channel": "phone", "asker_name": "王先生",
                                                                               "uscc": s.enterprise.uscc},
                                                         lambda s: Consultation.objects.filter(applicant__isnull=False).count())),
    "raise an issue about 大足's park": Foreign("oversight:issue_create", COORD, lambda o, t: {"unit": t.park.pk},
                                              Post(lambda s: {"jurisdiction": s.jurisdiction.pk, "unit": s.park.pk, "title": "园区供电不足",
                                                              "description": "园区供电不足影响施工"}, lambda s: CoordinationIssue.objects.count())),
    "raise an issue in 大足": Foreign("oversight:issue_create", COORD, lambda o, t: {"jurisdiction": t.jurisdiction.pk, "unit": t.park.pk},
                                    Post(lambda s: {"jurisdiction": s.jurisdiction.pk, "unit": s.park.pk, "title": "园区供电不足",
                                                    "description": "园区供电不足影响施工"}, lambda s: CoordinationIssue.objects.count())),
    "inspect 大足's park": Foreign("oversight:inspection_create", SUPERVISOR, lambda o, t: {"units": [t.park.pk]},
                                 Post(lambda s: {"jurisdiction": s.jurisdiction.pk, "held_on": day(), "units": [s.park.pk],
                                                 "inspectors": "工改办", "scope": "专项督查", "findings": "材料清单未更新"},
                                      lambda s: Inspection.objects.count())),
    "inspect in 大足": Foreign("oversight:inspection_create", SUPERVISOR, lambda o, t: {"jurisdiction": t.jurisdiction.pk, "units": [t.park.pk]},
                             Post(lambda s: {"jurisdiction": s.jurisdiction.pk, "held_on": day(), "units": [s.park.pk],
                                             "inspectors": "工改办", "scope": "专项督查", "findings": "材料清单未更新"},
                                  lambda s: Inspection.objects.count())),
}
# fmt: on


@pytest.mark.parametrize("theirs", [False, True], ids=["control", "theirs"])
@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_foreign_objects_in_a_form(world, case, theirs):
    """The wrong owner in the POSTed fields: an object of 大足 where one of 酉阳 must be saves nothing."""
    foreign = FOREIGN[case]
    row = TABLE[foreign.name]
    post = foreign.post or row.post
    assert post is not None and row.outcomes[foreign.persona] == OK
    ours = world.ours
    payload = post.payload(ours) | (foreign.swap(ours, world.theirs) if theirs else {})
    before = footprint(post, ours)
    response = world.client(foreign.persona).post(url_of(foreign.name, ours), payload)
    after = footprint(post, ours)
    where = f"{case}: POST {foreign.name} as {foreign.persona}"
    if theirs:
        assert after == before, f"{where} saved something"
        assert response.status_code in (200, 302, 400), f"{where}: {response.status_code}"
    else:
        assert response.status_code == 302 and after[0] != before[0], (
            f"{where} (control) failed: {said(response)}"
        )


def test_the_marks_searched_for_do_show_where_they_may(world):
    """The "never shows" checks search for words that do appear on pages for those allowed to see them."""
    city = world.client(CITY)
    listing = city.get(reverse("cases:request_list")).content.decode()
    assert OURS_MARK in listing and THEIRS_MARK in listing
    supervisor = world.client(SUPERVISOR)
    evaluations = supervisor.get(reverse("feedback:evaluation_list")).content.decode()
    assert HIDDEN_COMMENT in evaluations
    item = reverse("cases:item_detail", args=[world.ours.main.pk, world.ours.item_review.pk])
    assert INTERNAL_CHASE in world.client(AGENT).get(item).content.decode()
    assert INTERNAL_CHASE not in world.client(APPLICANT).get(item).content.decode()


def test_a_bad_rating_does_not_tell_the_agent_whose_it_is(world):
    """feedback/README: a bad rating's comment and request are withheld from the agent rated until a
    supervisor releases it — its evaluation list shows neither, and no notice tells it meanwhile."""
    ours = world.ours
    rated, agent = ours.rated.project.name, world.client(AGENT)
    since = Notification.objects.filter(
        recipient=ours.people[AGENT], created_at__gte=ours.evaluation.given_at
    )
    told = [
        f"{n.verb}: {n.title}" for n in since if n.verb.startswith("evaluation.") or rated in n.title + n.body
    ]
    assert told == [], "the agent is told of the bad rating before its release"
    assert rated not in agent.get(reverse("feedback:evaluation_list")).content.decode()
    supervisor = world.client(SUPERVISOR)
    assert rated in supervisor.get(reverse("feedback:evaluation_list")).content.decode()
    supervisor.post(reverse("feedback:evaluation_release", args=[ours.evaluation.pk]))
    assert rated in agent.get(reverse("feedback:evaluation_list")).content.decode()
    assert since.filter(verb="evaluation.released").count() == 1


def test_every_notification_links_to_a_page_its_recipient_may_open(world):
    """A notification sends its recipient to a page: the recipient must be allowed on it."""
    verbs = set(Notification.objects.values_list("verb", flat=True))
    assert {
        "item.overdue",
        "item.escalated",
        "issue.overdue",
        "meeting.follow_up",
        "request.completed",
    } <= verbs
    broken = []
    for notification in Notification.objects.exclude(url="").select_related("recipient").order_by("id"):
        client = Client()
        if notification.recipient is not None:  # a text to a contact mobile (一事一评) opens signed out
            client.force_login(notification.recipient)
        status = client.get(notification.url).status_code
        if status != 200:
            broken.append(f"{notification.verb} → {notification.url}: {status}")
    assert broken == [], "\n".join(broken)


def test_a_follow_up_owner_reports_it_done(world):
    """The coordinator of a unit owning a meeting's follow-up is notified, opens the meetings and reports it
    done there, though it does not see the request itself."""
    ours = world.ours
    follow_up = FollowUp.objects.get(meeting__request=ours.main, owner_unit__code="zjw")
    client = world.client(OTHER_COORD)
    done = reverse("assistance:follow_up_done", args=[ours.main.pk, follow_up.pk])
    page = client.get(reverse("assistance:meeting_list", args=[ours.main.pk])).content.decode()
    assert (
        done in page
        and reverse("assistance:follow_up_done", args=[ours.main.pk, ours.follow_up.pk]) not in page
    )
    assert client.get(reverse("cases:request_detail", args=[ours.main.pk])).status_code == 404
    assert client.post(done, {"done_on": day(), "note": "已出具"}).status_code == 302
    assert fresh(follow_up, "done_on") == TODAY - dt.timedelta(days=1)


# ---------------------------------------------------------------------------------------------------------
# The Django admin (namespace "admin", guarded by AdminSite.has_permission and the model admins).
# ---------------------------------------------------------------------------------------------------------

ADMIN_PAGES = ["/admin/", "/admin/organizations/unit/", "/admin/organizations/roleassignment/"]
ADMIN_USERS = frozenset({ADMIN, ROOT})  # is_staff: the administrator role sets it; the superuser has it


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_opens_to_staff_only(world, persona):
    client = world.client(persona)
    for path in ADMIN_PAGES:
        response = client.get(path)
        if persona in ADMIN_USERS:
            assert response.status_code == 200, f"{path} as {persona}"
        else:
            assert response.status_code == 302, f"{path} as {persona}: {response.status_code}"
            assert response["Location"].startswith(f"{reverse('admin:login')}?next="), f"{path} as {persona}"


def _admin_objects(side: Side) -> list[Any]:
    """One object of the side for each model the administrator keeps in the admin."""
    from daiban.organizations.models import RoleAssignment

    return [
        side.jurisdiction,
        side.park,
        side.working_group,
        side.people[AGENT],
        side.enterprise,
        side.project,
        side.policy,
        side.faq,
        RoleAssignment.objects.filter(user=side.people[AGENT]).first(),
        ApprovalItem.objects.filter(jurisdiction=side.jurisdiction).first(),
    ]


def _admin_row_of_every_model(side: Side) -> dict[type, Any]:
    """One row of the side for every model registered in the admin that belongs to a jurisdiction (made
    here where the scenario has none; the test's savepoint takes them away again)."""
    from django.contrib import admin
    from django.utils import timezone

    from daiban.api.models import ApiClient
    from daiban.catalogue.models import CatalogueVersion, ResultDocument
    from daiban.integrations.models import WebhookDelivery, WebhookSubscription
    from daiban.onboarding.models import OnboardingRecord
    from daiban.organizations.models import RoleAssignment, ServiceZone
    from daiban.oversight.models import AssessmentWeight
    from daiban.service_levels.models import ServiceLevel
    from daiban.service_levels.services import set_service_levels
    from daiban.workdays.models import CalendarYear

    j = side.jurisdiction
    rows: dict[type, Any] = {
        Jurisdiction: j,
        Unit: side.park,
        RoleAssignment: RoleAssignment.objects.filter(user=side.people[AGENT]).first(),
        User: side.people[AGENT],
        WorkingGroup: side.working_group,
        WorkingGroupChange: WorkingGroupChange.objects.create(
            group=side.working_group, kind="joined", reason=f"{side.mark}备案", filed_on=D(2026, 11, 2)
        ),
        ApprovalItem: ApprovalItem.objects.filter(jurisdiction=j).first(),
        ResultDocument: ResultDocument.objects.filter(jurisdiction=j).first(),
        CatalogueVersion: CatalogueVersion.objects.filter(jurisdiction=j).first(),
        PolicyDocument: side.policy,
        FaqEntry: side.faq,
        AssessmentWeight: AssessmentWeight.objects.create(
            jurisdiction=j, target="unit", indicator=AssessmentWeight.Indicator.values[0], weight=1
        ),
        Applicant: side.enterprise,
        Project: side.project,
        CalendarYear: CalendarYear.objects.create(year=2027, jurisdiction_code=j.code, notice=side.mark),
        AuditEntry: AuditEntry.objects.filter(jurisdiction_code=j.code).first(),
        RoutingPolicy: steps.set_routing_policy(
            jurisdiction=j, policy="park_committee_or_department", parameters={}, by=None
        ),
        ServiceZone: ServiceZone.objects.create(
            jurisdiction=j, name=f"{side.mark}专区", address="地址", hours="工作日", phone="023-1"
        ),
        OnboardingRecord: OnboardingRecord.objects.create(jurisdiction=j, source_file=f"{j.code}.toml"),
        ServiceLevel: set_service_levels(jurisdiction=j, levels={"acceptance": 2}, by=None),
        ApiClient: ApiClient.objects.create(
            name=f"{side.mark}工改系统", jurisdiction=j, scopes=["read_cases"]
        ),
    }
    rows[WebhookSubscription] = WebhookSubscription.objects.create(
        jurisdiction=j,
        name=f"{side.mark}工改系统",
        url="https://hooks.example.cn/in",
        event_types=["item.overdue"],
    )
    rows[WebhookDelivery] = WebhookDelivery.objects.create(
        subscription=rows[WebhookSubscription],
        event_type="item.overdue",
        source_seq=1,
        payload={"label": side.mark},
        next_attempt_at=timezone.now(),
    )
    assert all(rows.values()), rows
    unscoped = {m for m in admin.site._registry if m not in rows}
    assert {m._meta.label for m in unscoped} == OPERATOR_RECORDS - {"common.AuditEntry"}  # operators'
    return rows


def _mark_their_people(world: World) -> list[str]:
    """Give 大足's people names and mobile numbers that can be searched for in a page; returns them."""
    shown: list[str] = []
    for n, person in enumerate({*world.theirs.people.values()}):
        person.full_name, person.mobile = f"{THEIRS_MARK}人员{n}", f"1370000{n:04d}"
        person.save(update_fields=["full_name", "mobile"])
        shown += [person.full_name, person.mobile]
    return shown


# The superuser's alone (Django's permission groups are unused: only the superuser holds model permissions;
# a person's second-factor devices are reset by the platform operator, docs/security.md).
SECOND_FACTOR = frozenset({"otp_totp.TOTPDevice", "otp_static.StaticDevice"})
OPERATOR_RECORDS = (
    frozenset({"common.AuditEntry", "oversight.DashboardSnapshot", "auth.Group"}) | SECOND_FACTOR
)
# Administrators look, only the superuser adds, changes or deletes: the jurisdictions (a county that set
# its own level or parent would widen its reach) and people's accounts (administrators grant roles).
OPERATOR_EDITS = frozenset({"organizations.Jurisdiction", "organizations.User"})
# Catalogue versions come from a file or a published draft; their items are never deleted (ADR 0015).
PUBLISHED_CATALOGUE = frozenset(
    {
        ("catalogue.ApprovalItem", "delete:ours"),  # theirs: "does not exist", as for every row out of scope
        ("catalogue.CatalogueVersion", "add"),
        ("catalogue.CatalogueVersion", "delete:ours"),
        ("catalogue.CatalogueVersion", "delete:theirs"),  # refused before the row is looked up
    }
)
# A working group's members change only by a change its office files on the group's page (issue #15).
FILED_WITH_THE_OFFICE = frozenset(
    ("organizations.WorkingGroupChange", kind) for kind in ("add", "delete:ours", "delete:theirs")
)
# What an onboarding file said is read-only in the admin: load a changed file (ADR 0024).
ONBOARDING_RECORDS = frozenset(
    ("onboarding.OnboardingRecord", kind) for kind in ("add", "delete:ours", "delete:theirs")
)
PUBLISHED_FOR_ALL = frozenset({("catalogue.ApprovalItem", "delete:theirs")})  # the superuser sees both sides
NEVER_WRITTEN = OPERATOR_RECORDS - {"auth.Group"} - SECOND_FACTOR  # the system writes them; nobody edits them
# Webhook deliveries are written by the cursor job: administrators look and replay, nobody adds or deletes.
SYSTEM_OUTBOX = frozenset({"integrations.WebhookDelivery"})


def _admin_urls(rows_ours: dict[type, Any], rows_theirs: dict[type, Any]) -> list[tuple[str, str, str]]:
    """(label, kind, path) for every registered model: its list, add form, ours' and theirs' change, history
    and delete pages, and every autocomplete its forms and inlines use."""
    from django.contrib import admin

    urls: list[tuple[str, str, str]] = []
    for model, model_admin in admin.site._registry.items():
        label, base = model._meta.label, f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [(label, "changelist", reverse(f"{base}_changelist")), (label, "add", reverse(f"{base}_add"))]
        for side, rows in (("ours", rows_ours), ("theirs", rows_theirs)):
            if model in rows:
                for what in ("change", "history", "delete"):
                    urls.append((label, f"{what}:{side}", reverse(f"{base}_{what}", args=[rows[model].pk])))
        for source_admin in [model_admin, *(i(model, admin.site) for i in model_admin.inlines)]:
            for name in source_admin.autocomplete_fields:
                source = source_admin.model._meta
                query = f"app_label={source.app_label}&model_name={source.model_name}&field_name={name}"
                urls.append((label, "autocomplete", f"{reverse('admin:autocomplete')}?{query}&term="))
    return urls


def _admin_expected(persona: str, label: str, kind: str) -> int | str:
    """What the persona gets: 200, 403, "index" (a redirect to the admin index: "does not exist" for a row
    outside their scope) or "login"."""
    writes = kind == "add" or kind.startswith("delete:")
    if persona not in ADMIN_USERS:
        return "login"
    if (label, kind) in PUBLISHED_CATALOGUE | ONBOARDING_RECORDS | FILED_WITH_THE_OFFICE or (
        persona == ROOT and (label, kind) in PUBLISHED_FOR_ALL
    ):
        return 403  # a published catalogue is never rewritten: drafts are started and published (ADR 0015)
    if writes and label in SYSTEM_OUTBOX:
        return 403
    if persona == ROOT:
        return 403 if writes and label in NEVER_WRITTEN else 200
    if label in OPERATOR_RECORDS:
        return 403
    if writes and (label in OPERATOR_EDITS or (label == "workdays.CalendarYear" and kind != "add")):
        return 403  # the permission is refused before the row is looked up
    if kind.endswith(":theirs"):
        return "index"
    return 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_url_as_persona(world, persona):
    """Every admin page (list, add, change, history, delete, autocomplete) of every model, for every
    persona: only administrators and the superuser get in; 酉阳's administrator opens 酉阳's rows and is
    told 大足's do not exist; no page served to it carries 大足's marks, people or jurisdiction."""
    their_people = _mark_their_people(world)
    urls = _admin_urls(_admin_row_of_every_model(world.ours), _admin_row_of_every_model(world.theirs))
    client = world.client(persona)
    wrong: list[str] = []
    for label, kind, path in urls:
        response = client.get(path)
        expected = _admin_expected(persona, label, kind)
        got: int | str = response.status_code
        if got == 302:
            location = response["Location"]
            got = "index" if location == reverse("admin:index") else location
            if location.startswith(f"{reverse('admin:login')}?next="):
                got = "login"
        if got != expected:
            wrong.append(f"{label} {kind} {path}: {got}, expected {expected}")
        elif got == 200 and persona == ADMIN:
            page = response.content.decode()
            leaks = [w for w in [THEIRS_MARK, world.theirs.jurisdiction.name, *their_people] if w in page]
            if leaks:
                wrong.append(f"{label} {kind} {path} shows {leaks}")
    assert wrong == [], "\n".join(wrong)


def test_admin_refuses_posts_into_another_jurisdiction(world):
    """A forged post naming 大足's rows, or the national calendar, saves nothing."""
    from daiban.organizations.models import RoleAssignment
    from daiban.workdays.models import CalendarYear

    client, ours, theirs = world.client(ADMIN), world.ours, world.theirs
    before = CalendarYear.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()
    calendar = {"year": "2028", "notice": "", "days-TOTAL_FORMS": "0", "days-INITIAL_FORMS": "0"}
    for code in (theirs.jurisdiction.code, ""):  # the other county's, the national schedule
        response = client.post(
            reverse("admin:workdays_calendaryear_add"), calendar | {"jurisdiction_code": code}
        )
        assert response.status_code == 200 and response.context["adminform"].form.errors, code
    grant = {"role": Role.AGENT, "jurisdiction": ours.jurisdiction.pk, "unit": ours.park.pk}
    response = client.post(
        reverse("admin:organizations_roleassignment_add"), grant | {"user": theirs.people[AGENT].pk}
    )
    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    response = client.post(
        reverse("admin:organizations_unit_changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.park.pk], "post": "yes"},
    )
    assert Unit.objects.filter(pk=theirs.park.pk).exists()
    assert before == (
        CalendarYear.objects.count(),
        RoleAssignment.objects.count(),
        AuditEntry.objects.count(),
    )
    # What the administrator may do, it does: its own county's local calendar.
    response = client.post(
        reverse("admin:workdays_calendaryear_add"), calendar | {"jurisdiction_code": ours.jurisdiction.code}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2028).jurisdiction_code == ours.jurisdiction.code


def test_admin_of_one_county_does_not_reach_the_other(world):
    """The wrong owner in the admin: 酉阳's administrator opens 酉阳's objects, never 大足's."""
    client = world.client(ADMIN)
    units = client.get("/admin/organizations/unit/").content.decode()
    assert world.ours.park.name in units and world.theirs.park.name not in units
    for ours, theirs in zip(_admin_objects(world.ours), _admin_objects(world.theirs), strict=True):
        name = f"admin:{ours._meta.app_label}_{ours._meta.model_name}_change"
        assert client.get(reverse(name, args=[ours.pk])).status_code == 200, name
        response = client.get(reverse(name, args=[theirs.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("admin:index"), name


def test_admin_forms_offer_nothing_of_the_other_county(world):
    """Every add form 酉阳's administrator may open offers only 酉阳's rows in its choices."""
    from django.contrib import admin

    client = world.client(ADMIN)
    opened = 0
    for model in admin.site._registry:
        response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        if response.status_code == 200:
            opened += 1
            assert THEIRS_MARK not in response.content.decode(), model._meta.label
    assert opened >= 10
