"""City-scale data set on PostgreSQL for the oversight benchmarks (dashboard, ledger export).

At --scale 1: about 40 jurisdictions (the real 酉阳 and 大足 plus synthetic districts copied from 酉阳's
structure and catalogue), 100,000 projects with one request each, 1,000,000 items (10 a request) and
10,000,000 timeline rows (10 an item). Rows go in with PostgreSQL COPY; names and codes are invented.

    .venv/bin/python scripts/pg_database.py create daiban_bench
    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban_bench
    .venv/bin/python bench/city_data.py --scale 1
    .venv/bin/python bench/oversight.py
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django
import psycopg

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from daiban.cases.deadlines import refresh_due_dates
from daiban.cases.models import CaseItem, RequestCounter
from daiban.catalogue.models import ApprovalItem, CatalogueVersion, ResultDocument
from daiban.catalogue.services import catalogue_data_file, load_catalogue
from daiban.organizations.models import Jurisdiction, Role, RoleAssignment, Section, Unit, User
from daiban.organizations.services import DATA_DIR, load_organisations
from daiban.portal.demo import make_uscc
from daiban.projects.models import Applicant, Project
from daiban.workdays.selectors import calendar_for
from daiban.workdays.services import seed_calendar_from_library

SH = dt.timezone(dt.timedelta(hours=8))
START = dt.date(2025, 1, 2)
END = dt.date(2026, 11, 13)


def clone_jurisdiction(template: Jurisdiction, code: str, name: str, city: Jurisdiction) -> Jurisdiction:
    """A synthetic district with 酉阳's departments, sections, townships, park, offices and catalogue."""
    new = Jurisdiction.objects.create(code=code, name=name, level=template.level, parent=city)
    units: dict[int, Unit] = {}
    for unit in Unit.objects.filter(jurisdiction=template).order_by("id"):
        old = unit.pk
        unit.pk, unit.jurisdiction = None, new
        unit.save()
        units[old] = unit
    sections: dict[int, Section] = {}
    for section in Section.objects.filter(department__jurisdiction=template):
        old = section.pk
        section.pk, section.department = None, units[section.department_id]
        section.save()
        sections[old] = section
    version = CatalogueVersion.objects.create(
        jurisdiction=new,
        version="bench",
        source_file="bench",
        checksum="-",
        status=CatalogueVersion.Status.IN_FORCE,
        effective_on=START,
    )
    documents: dict[int, ResultDocument] = {}
    for document in ResultDocument.objects.filter(jurisdiction=template):
        old = document.pk
        document.pk, document.jurisdiction = None, new
        document.save()
        documents[old] = document
    for item in ApprovalItem.objects.filter(jurisdiction=template, is_active=True):
        item.pk, item.jurisdiction, item.version = None, new, version
        item.department = units[item.department_id]
        item.section = sections.get(item.section_id) if item.section_id else None
        item.result_document = documents[item.result_document_id]
        item.save()
    return new


def people(jurisdiction: Jurisdiction, rng: random.Random) -> dict[str, list[int]]:
    units = list(Unit.objects.filter(jurisdiction=jurisdiction, kind__in=["department", "township", "park"]))
    users = User.objects.bulk_create(
        User(
            username=f"b{jurisdiction.code}-{i}",
            full_name=f"专员{jurisdiction.code[-3:]}{i:02d}",
            password="!",
        )
        for i in range(30)
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.AGENT, jurisdiction=jurisdiction, unit=rng.choice(units))
            for u in users[:24]
        ]
        + [
            RoleAssignment(user=u, role=Role.COORDINATOR, jurisdiction=jurisdiction, unit=rng.choice(units))
            for u in users[24:29]
        ]
        + [
            RoleAssignment(
                user=users[29],
                role=Role.SUPERVISOR,
                jurisdiction=jurisdiction,
                unit=Unit.objects.filter(jurisdiction=jurisdiction, kind="reform_office").first(),
            )
        ]
    )
    return {"agents": [u.pk for u in users[:24]], "supervisor": [users[29].pk]}


def raw() -> psycopg.Connection[Any]:
    """The psycopg connection under Django's, for COPY (autocommit: each COPY commits when it ends)."""
    connection.ensure_connection()
    psycopg_connection = connection.connection
    assert isinstance(psycopg_connection, psycopg.Connection)  # main() refuses anything but PostgreSQL
    return psycopg_connection


def day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scale", type=float, default=0.1, help="1 = 100,000 projects, 1M items, 10M timeline rows"
    )
    parser.add_argument("--districts", type=int, default=40)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL database made for the benchmark")
    rng = random.Random(20261122)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed_calendar_from_library()
    city = load_organisations(path=DATA_DIR / "500000.toml")
    real = []
    for code in ("500242", "500111"):
        real.append(load_organisations(path=DATA_DIR / f"{code}.toml"))
        load_catalogue(path=catalogue_data_file(code))
    youyang = real[0]
    jurisdictions = list(real)
    for i in range(args.districts - 2):
        code = f"5099{i:02d}"
        existing = Jurisdiction.objects.filter(code=code).first()
        jurisdictions.append(existing or clone_jurisdiction(youyang, code, f"合成区县{i:02d}", city))
    print(f"{len(jurisdictions)} jurisdictions ready in {time.perf_counter() - t0:.0f} s")

    projects_per = max(1, int(100_000 * args.scale / len(jurisdictions)))
    request_ids: list[
        tuple[int, int, int, str, dt.date]
    ] = []  # request, jurisdiction, locality, state, submitted
    staff: dict[int, dict[str, list[int]]] = {}
    for j in jurisdictions:
        staff[j.pk] = people(j, rng)
        localities = list(
            Unit.objects.filter(jurisdiction=j, kind__in=["township", "park"]).values_list("id", flat=True)
        )
        with transaction.atomic():
            applicants = Applicant.objects.bulk_create(
                Applicant(
                    jurisdiction=j,
                    name=f"合成企业{j.code}-{n:05d}",
                    uscc=make_uscc(j.code, f"{n:07d}"),
                    contact_name="联系人",
                    contact_mobile="13800000000",
                )
                for n in range(projects_per)
            )
            projects = Project.objects.bulk_create(
                Project(
                    applicant=a,
                    jurisdiction=j,
                    name=f"合成项目{n:05d}",
                    location_id=rng.choice(localities),
                    project_code=f"2025-{j.code}-48-03-{n:06d}",
                    kind="new",
                    investment_amount=1000,
                    land_area=1000,
                    floor_area=1000,
                )
                for n, a in enumerate(applicants)
            )
        submitter = staff[j.pk]["agents"][0]
        with (
            raw().cursor() as cursor,
            cursor.copy(
                "COPY cases_servicerequest (jurisdiction_id, project_id, applicant_id, locality_id, mode,"
                " channel, state, note, consent_at, submitted_by_id, submitted_at, decline_reason,"
                " completed_at, year, number, locality_role, routing_policy) FROM STDIN"
            ) as copy,
        ):
            numbers: dict[int, int] = {}
            for p in projects:
                submitted = day(rng, START, END)
                state = rng.choices(
                    ["completed", "dispatched", "submitted", "accepted", "declined"], [70, 20, 5, 3, 2]
                )[0]
                at = dt.datetime.combine(submitted, dt.time(9), SH)
                done = at + dt.timedelta(days=rng.randint(10, 60)) if state == "completed" else None
                copy.write_row(
                    (
                        j.pk,
                        p.pk,
                        p.applicant_id,
                        p.location_id,
                        "proxy",
                        "online",
                        state,
                        "",
                        at,
                        submitter,
                        at,
                        "",
                        done,
                        submitted.year,
                        numbers.setdefault(submitted.year, 0) + 1,
                        "co_responsible",
                        "park_committee_or_department",
                    )
                )
                numbers[submitted.year] += 1
        RequestCounter.objects.bulk_create(
            RequestCounter(jurisdiction=j, year=year, last=last) for year, last in numbers.items()
        )
        with raw().cursor() as rows:
            rows.execute(
                "SELECT id, locality_id, state, submitted_at FROM cases_servicerequest"
                " WHERE jurisdiction_id = %s",
                [j.pk],
            )
            request_ids += [
                (r, j.pk, loc, st, sub.astimezone(SH).date()) for r, loc, st, sub in rows.fetchall()
            ]
    print(f"{len(request_ids):,} requests in {time.perf_counter() - t0:.0f} s")

    calendars = {j.pk: calendar_for(j.code) for j in jurisdictions}
    catalogue = {
        j.pk: list(
            ApprovalItem.objects.filter(jurisdiction=j, is_active=True).values_list(
                "id",
                "department_id",
                "time_limit_days",
                "legal_time_limit_days",
                "legal_time_limit_unit",
                "section_id",
                "result_document_id",
            )
        )
        for j in jurisdictions
    }
    with (
        raw().cursor() as cursor,
        cursor.copy(
            "COPY cases_caseitem (request_id, approval_item_id, responsible_unit_id, agent_id, state,"
            " position, version, external_ref, filed_on, decided_on, picked_up_on, due_on, time_limit_days,"
            " legal_time_limit_days, legal_time_limit_unit, section_id, result_document_id, acceptance,"
            " decline_reason, result_number) FROM STDIN"
        ) as copy,
    ):
        for request_id, jid, _locality, state, submitted in request_ids:
            for position, (item_id, department, limit, *frozen) in enumerate(rng.sample(catalogue[jid], 10)):
                agent = rng.choice(staff[jid]["agents"]) if state in ("completed", "dispatched") else None
                filed: dt.date | None = None
                decided: dt.date | None = None
                item_state = "planned"
                if state == "completed":
                    filed = submitted + dt.timedelta(days=rng.randint(1, 20))
                    decided = filed + dt.timedelta(days=rng.randint(0, limit * 2))
                    item_state = "delivered" if rng.random() > 0.02 else "refused"
                elif state == "dispatched":
                    item_state = rng.choice(["collecting", "filed", "under_review", "approved", "delivered"])
                    if item_state != "collecting":
                        filed = min(submitted + dt.timedelta(days=rng.randint(1, 20)), END)
                    if item_state in ("approved", "delivered") and filed is not None:
                        decided = min(filed + dt.timedelta(days=rng.randint(0, limit * 2)), END)
                due = calendars[jid].deadline(filed, limit) if filed else None
                # Per-item acceptance (ADR 0022): the items follow the request's decision.
                acceptance = {"submitted": "pending", "declined": "declined"}.get(state, "accepted")
                copy.write_row(
                    (
                        request_id,
                        item_id,
                        department,
                        agent,
                        item_state,
                        position,
                        0,
                        f"B{request_id}-{position}" if filed else "",
                        filed,
                        decided,
                        decided,
                        due,
                        limit,
                        *frozen,
                        acceptance,
                        "",
                        f"R{request_id}-{position}" if decided else "",
                    )
                )
    with raw().cursor() as cursor:
        cursor.execute("ANALYZE cases_caseitem")
    print(f"items in {time.perf_counter() - t0:.0f} s")

    with raw().cursor() as items:
        items.execute("SELECT id, filed_on FROM cases_caseitem WHERE filed_on IS NOT NULL AND id % 10 = 0")
        stopped = items.fetchall()
    with (
        raw().cursor() as cursor,
        cursor.copy("COPY cases_clockstop (case_item_id, kind, start_on, end_on, note) FROM STDIN") as copy,
    ):
        for item_id, filed in stopped:
            copy.write_row(
                (item_id, "correction", filed + dt.timedelta(days=1), filed + dt.timedelta(days=4), "")
            )
    moved = refresh_due_dates(CaseItem.objects.filter(stops__isnull=False))
    print(f"deadlines moved by clock stops: {moved:,}")
    verbs = [
        "item.assigned",
        "item.collection_started",
        "item.materials_completed",
        "item.filed",
        "item.review_started",
        "item.chased",
        "item.chased",
        "item.approved",
        "item.picked_up",
        "item.delivered",
    ]
    written, last = 0, 0
    with (
        raw().cursor() as cursor,
        cursor.copy(
            "COPY cases_timelineentry (request_id, case_item_id, at, by_id, verb, from_state, to_state, text)"
            " FROM STDIN"
        ) as copy,
        psycopg.connect(**connection.get_connection_params()) as reader,
        reader.cursor() as stream,
    ):
        while True:
            stream.execute(
                "SELECT i.id, i.request_id, r.submitted_at FROM cases_caseitem i JOIN cases_servicerequest r"
                " ON r.id = i.request_id WHERE i.id > %s ORDER BY i.id LIMIT 50000",
                [last],
            )
            batch = stream.fetchall()
            if not batch:
                break
            last = batch[-1][0]
            for item_id, request_id, submitted_at in batch:
                for n, verb in enumerate(verbs):
                    copy.write_row(
                        (
                            request_id,
                            item_id,
                            submitted_at + dt.timedelta(hours=n * 7),
                            None,
                            verb,
                            "",
                            "",
                            "",
                        )
                    )
                written += len(verbs)
    print(f"{written:,} timeline rows in {time.perf_counter() - t0:.0f} s")
    with raw().cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM cases_caseitem")
        row = cursor.fetchone()  # count(*) always answers one row
        counts = {
            "jurisdictions": Jurisdiction.objects.count(),
            "projects": Project.objects.count(),
            "items": row[0] if row else 0,
        }
    print(f"done in {time.perf_counter() - t0:.0f} s: {counts} (now {timezone.now():%Y-%m-%d %H:%M})")


if __name__ == "__main__":
    main()
