"""Routing policies as data (ADR 0022): both policies pinned on the same projects and where they differ;
what the locality may do under each; the parameters checked; the policy loaded from the shipped files;
the migration of requests decided before per-item acceptance."""

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from daiban.cases.models import CaseItem, LocalityRole, RoutingPolicy, RoutingPolicyName, ServiceRequest
from daiban.cases.permissions import can_assign
from daiban.cases.routing import STRATEGIES, route
from daiban.cases.selectors import agent_units_for
from daiban.cases.services import accept_request, submit_request
from daiban.cases.services.routing import load_routing_policy, routing_data_files, set_routing_policy
from daiban.catalogue.models import ApprovalItem
from daiban.common.models import AuditEntry
from daiban.organizations.models import Role, Unit, WorkingGroup, WorkingGroupMember
from daiban.organizations.tests.factories import UserFactory

from .conftest import data

CODES = [
    "project-filing",  # 发改委, stage 1: a member of 发改委 for stage 1
    "land-use-planning-permit",  # 规资局, stage 1: a member of 规资局 for no stage in particular
    "soil-water-conservation",  # 水利局, stage 1: 水利局 holds no seat → the stage's member (发改委)
    "civil-air-defence",  # 住建委, stage 2: 住建委 sits for stage 3 only → its own department
    "construction-permit",  # 住建委, stage 3: a member of 住建委 for stage 3
]
GROUP = "测试帮代办工作组"


@pytest.fixture
def roster(youyang):
    """A working group shaped like 大足's roster: members tied to a department and (mostly) a stage."""
    office = Unit.objects.get(jurisdiction=youyang, code="gaiban")
    group = WorkingGroup.objects.create(jurisdiction=youyang, name=GROUP, office=office)
    seats = [
        ("fgw", "initiation_land_planning"),
        ("gzj", ""),
        ("zjw", "construction_permit"),
    ]
    for code, stage in seats:
        WorkingGroupMember.objects.create(
            group=group,
            user=UserFactory.create(),
            position="member",
            unit=Unit.objects.get(jurisdiction=youyang, code=code),
            stage=stage,
            joined_on=dt.date(2025, 1, 1),
        )
    # A member who left: no longer counts.
    WorkingGroupMember.objects.create(
        group=group,
        user=UserFactory.create(),
        position="member",
        unit=Unit.objects.get(jurisdiction=youyang, code="jtj"),
        stage="construction_planning",
        joined_on=dt.date(2025, 1, 1),
        left_on=dt.date(2025, 6, 1),
    )
    return group


@pytest.fixture
def five(youyang):
    found = {i.code: i for i in ApprovalItem.objects.filter(jurisdiction=youyang, code__in=CODES)}
    return [found[code] for code in CODES]


def routed(project, items):
    routing = route(jurisdiction=project.jurisdiction, locality=project.location, items=items)
    return routing.locality_role, [routing.unit_for(i).code for i in items]


YOUYANG: dict[str, Any] = {"policy": "park_committee_or_department", "parameters": {}}
DAZU: dict[str, Any] = {"policy": "working_group_member", "parameters": {"working_group": GROUP}}
BY_GROUP = ["fgw", "gzj", "fgw", "zjw", "zjw"]


@pytest.mark.django_db
def test_both_policies_on_the_same_park_project(youyang, roster, five, park_project):
    set_routing_policy(jurisdiction=youyang, by=None, **YOUYANG)
    assert routed(park_project, five) == (LocalityRole.CO_RESPONSIBLE, ["gyyq"] * 5)
    set_routing_policy(jurisdiction=youyang, by=None, **DAZU)
    # The park is only the local contact; the member units carry the items.
    assert routed(park_project, five) == (LocalityRole.CONTACT, BY_GROUP)


@pytest.mark.django_db
def test_both_policies_on_the_same_township_project(youyang, roster, five, town_project):
    set_routing_policy(jurisdiction=youyang, by=None, **YOUYANG)
    departments = ["fgw", "gzj", "slj", "zjw", "zjw"]
    assert routed(town_project, five) == (LocalityRole.CO_RESPONSIBLE, departments)
    set_routing_policy(jurisdiction=youyang, by=None, **DAZU)
    # Differs only where the department holds no seat (水利局 → the stage's member unit) and in the
    # township's role.
    assert routed(town_project, five) == (LocalityRole.CONTACT, BY_GROUP)


@pytest.mark.django_db
def test_no_policy_chosen_routes_as_before(youyang, five, park_project, town_project):
    assert not RoutingPolicy.objects.exists()
    assert routed(park_project, five) == (LocalityRole.CO_RESPONSIBLE, ["gyyq"] * 5)
    assert routed(town_project, five)[1] == ["fgw", "gzj", "slj", "zjw", "zjw"]


@pytest.mark.django_db
def test_parameters_change_the_outcome(youyang, roster, five, park_project, town_project):
    only_industrial = {"park_kinds": ["agricultural"], "township_role": "contact"}
    set_routing_policy(
        jurisdiction=youyang, policy="park_committee_or_department", parameters=only_industrial, by=None
    )
    # 工业园区 is not an agricultural park: its project goes to the departments, the park is the contact.
    assert routed(park_project, five) == (LocalityRole.CONTACT, ["fgw", "gzj", "slj", "zjw", "zjw"])
    set_routing_policy(
        jurisdiction=youyang,
        policy="working_group_member",
        parameters={"working_group": GROUP, "match": ["department_stage"], "locality_role": "co_responsible"},
        by=None,
    )
    assert routed(town_project, five) == (LocalityRole.CO_RESPONSIBLE, ["fgw", "gzj", "slj", "zjw", "zjw"])


@pytest.mark.django_db
def test_the_stored_routing_stays_when_the_policy_changes(youyang, roster, five, town_project, rep):
    set_routing_policy(jurisdiction=youyang, by=None, **DAZU)
    request = submit_request(project=town_project, data=data(five[:3]), by=rep, channel="online")
    assert (request.routing_policy, request.locality_role) == ("working_group_member", "contact")
    before = list(request.items.order_by("position").values_list("responsible_unit__code", flat=True))
    assert before == ["fgw", "gzj", "fgw"]
    set_routing_policy(jurisdiction=youyang, by=None, **YOUYANG)
    WorkingGroupMember.objects.filter(group=roster).update(left_on=dt.date(2025, 12, 31))
    after = list(request.items.order_by("position").values_list("responsible_unit__code", flat=True))
    assert after == before
    logged = AuditEntry.objects.get(verb="request.submitted")
    assert logged.after is not None
    assert logged.after["responsible_units"] == {
        "project-filing": "fgw",
        "land-use-planning-permit": "gzj",
        "soil-water-conservation": "fgw",
    }


@pytest.mark.django_db
def test_a_contact_township_neither_decides_nor_assigns(youyang, roster, five, town_project, rep, staff):
    set_routing_policy(jurisdiction=youyang, by=None, **DAZU)
    request = submit_request(project=town_project, data=data([five[4]]), by=rep, channel="online")
    with pytest.raises(ValidationError):
        accept_request(request=request, by=staff["town_coord"])
    accept_request(request=request, by=staff["zjw_coord"])
    item = request.items.select_related("request__locality").get()
    request.refresh_from_db()
    assert not can_assign(staff["town_coord"], item, request)
    assert can_assign(staff["zjw_coord"], item, request)
    assert agent_units_for(item, request) == {item.responsible_unit_id}


@pytest.mark.django_db
def test_a_co_responsible_township_assigns_its_agents(youyang, five, town_project, rep, staff):
    set_routing_policy(jurisdiction=youyang, by=None, **YOUYANG)
    request = submit_request(project=town_project, data=data([five[4]]), by=rep, channel="online")
    accept_request(request=request, by=staff["zjw_coord"])
    item = request.items.select_related("request__locality").get()
    request.refresh_from_db()
    assert can_assign(staff["town_coord"], item, request)
    assert agent_units_for(item, request) == {item.responsible_unit_id, town_project.location_id}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "parameters", "field"),
    [
        ("round_robin", {}, "round_robin"),
        ("park_committee_or_department", {"parks": ["industrial"]}, "parks"),
        ("park_committee_or_department", {"park_kinds": ["science"]}, "park_kinds"),
        ("park_committee_or_department", {"township_role": "boss"}, "township_role"),
        ("working_group_member", {"working_group": "没有这个组"}, "working_group"),
        ("working_group_member", {"match": ["stage", "stage"]}, "match"),
        ("working_group_member", {"match": []}, "match"),
        ("working_group_member", {"match": "stage"}, "match"),
        ("working_group_member", {"locality_role": ""}, "locality_role"),
    ],
)
def test_bad_parameters_are_refused_and_nothing_is_saved(youyang, roster, policy, parameters, field):
    set_routing_policy(jurisdiction=youyang, by=None, **YOUYANG)
    with pytest.raises(ValidationError) as refused:
        set_routing_policy(jurisdiction=youyang, policy=policy, parameters=parameters, by=None)
    assert field in " ".join(refused.value.messages)
    stored = RoutingPolicy.objects.get(jurisdiction=youyang)
    assert (stored.policy, stored.parameters["township_role"]) == (
        "park_committee_or_department",
        "co_responsible",
    )


@pytest.mark.django_db
def test_setting_a_policy_is_audited_with_what_it_was(youyang, roster):
    admin = UserFactory.create()
    set_routing_policy(jurisdiction=youyang, by=admin, **YOUYANG)
    set_routing_policy(jurisdiction=youyang, by=admin, **DAZU)
    first, second = AuditEntry.objects.filter(verb="routing_policy.changed").order_by("id")
    assert first.before is None and second.before is not None and second.after is not None
    assert second.before["policy"] == "park_committee_or_department"
    assert second.after["policy"] == "working_group_member"
    assert second.after["parameters"] == {
        "working_group": GROUP,
        "match": ["department_stage", "department", "stage"],
        "locality_role": "contact",
    }
    assert second.jurisdiction_code == "500242" and second.actor_id == admin.pk


@pytest.mark.django_db
def test_the_shipped_policies_load(youyang, dazu):
    WorkingGroup.objects.create(
        jurisdiction=dazu,
        name="大足区社会投资建设项目帮代办工作组",
        office=dazu.units.get(code="jzxk-office"),
    )
    files = routing_data_files()
    assert [p.stem for p in files] == ["500111", "500242"]
    for path in files:
        load_routing_policy(path=path)
    chosen = dict(RoutingPolicy.objects.values_list("jurisdiction__code", "policy"))
    assert chosen == {"500111": "working_group_member", "500242": "park_committee_or_department"}
    assert set(STRATEGIES) == set(RoutingPolicyName.values)


@pytest.mark.django_db
def test_a_bad_policy_file_names_the_file_and_the_field(youyang, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('jurisdiction = "500242"\npolicy = "working_group_member"\n[parameters]\nmatch = ["x"]\n')
    with pytest.raises(ValidationError, match=r"bad\.toml: .*match"):
        load_routing_policy(path=path)
    path.write_text('jurisdiction = "999999"\npolicy = "working_group_member"\n')
    with pytest.raises(ValidationError, match=r"bad\.toml: jurisdiction"):
        load_routing_policy(path=path)
    assert not RoutingPolicy.objects.exists()


@pytest.mark.django_db
def test_migration_gives_decided_requests_item_decisions(submitted, town_project, rep, items, staff):
    """Requests decided as a whole before ADR 0022: their items take the decision; undecided ones stay
    pending; the stored responsible units are not touched."""
    migration = importlib.import_module("daiban.cases.migrations.0016_routing_policies_and_item_acceptance")
    accepted = submit_request(project=town_project, data=data(items[2:]), by=rep, channel="online")
    accept_request(request=accepted, by=staff["zjw_coord"])
    declined = submit_request(project=town_project, data=data(items[:2]), by=rep, channel="online")
    ServiceRequest.objects.filter(pk=declined.pk).update(
        state="declined", decline_reason="不属于服务范围。", decided_by=staff["town_coord"]
    )
    CaseItem.objects.update(acceptance="pending", acceptance_by=None, acceptance_at=None)  # as before 0016
    units = dict(CaseItem.objects.values_list("pk", "responsible_unit_id"))
    migration.items_follow_their_requests(apps, None)
    accepted.refresh_from_db()
    assert set(accepted.items.values_list("acceptance", "acceptance_by_id", "acceptance_at")) == {
        ("accepted", staff["zjw_coord"].pk, accepted.decided_at)
    }
    assert set(declined.items.values_list("acceptance", "decline_reason", "acceptance_by_id")) == {
        ("declined", "不属于服务范围。", staff["town_coord"].pk)
    }
    assert set(submitted.items.values_list("acceptance", flat=True)) == {"pending"}
    assert dict(CaseItem.objects.values_list("pk", "responsible_unit_id")) == units


@pytest.mark.django_db
def test_the_administrator_chooses_and_edits_the_policy_in_the_admin(
    client, youyang, dazu, roster, make_staff
):
    administrator = make_staff(Role.ADMINISTRATOR, youyang)
    client.force_login(administrator)
    add = reverse("admin:cases_routingpolicy_add")
    assert "大足区" not in client.get(add).content.decode()  # only its own jurisdiction to choose
    bad = {"jurisdiction": youyang.pk, "policy": "working_group_member", "parameters": '{"match": ["x"]}'}
    response = client.post(add, bad)
    assert response.status_code == 200 and "match" in response.content.decode()
    assert not RoutingPolicy.objects.exists()
    theirs = {"jurisdiction": dazu.pk, "policy": "park_committee_or_department", "parameters": "{}"}
    assert client.post(add, theirs).status_code == 200  # not a choice: refused by the form
    assert not RoutingPolicy.objects.exists()
    group = f'{{"working_group": "{GROUP}"}}'
    good = {"jurisdiction": youyang.pk, "policy": "working_group_member", "parameters": group}
    assert client.post(add, good).status_code == 302
    chosen = RoutingPolicy.objects.get(jurisdiction=youyang)
    assert chosen.parameters["locality_role"] == "contact" and chosen.changed_by == administrator
    change = reverse("admin:cases_routingpolicy_change", args=[chosen.pk])
    edit = {"policy": "park_committee_or_department", "parameters": '{"township_role": "contact"}'}
    assert client.post(change, edit).status_code == 302
    chosen.refresh_from_db()
    assert (chosen.policy, chosen.parameters["township_role"]) == ("park_committee_or_department", "contact")
    assert AuditEntry.objects.filter(verb="routing_policy.changed", actor=administrator).count() == 2
