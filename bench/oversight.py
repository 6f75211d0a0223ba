"""Oversight benchmark on the data set made by bench/city_data.py: the supervisor dashboard (one district;
the whole city counted live, from the job's snapshot, and for one quarter), the snapshot job itself, and the
quarterly ledger export, with query counts and the export's peak memory.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban_bench .venv/bin/python bench/oversight.py
"""

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from daiban.cases.models import CaseItem, ServiceRequest
from daiban.organizations.models import Jurisdiction, Role, RoleAssignment, User
from daiban.oversight.exports import ledger_workbook
from daiban.oversight.models import DashboardSnapshot
from daiban.oversight.services import refresh_city_snapshot
from daiban.oversight.views.dashboard import dashboard, dashboard_items
from daiban.workdays.quarters import Quarter


def timed(label: str, call, runs: int = 5) -> None:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            call()
            timings.append(time.perf_counter() - start)
    print(
        f"{label}: median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms, {len(queries)} queries"
    )


def main() -> None:
    translation.activate("zh-hans")
    city = Jurisdiction.objects.get(code="500000")
    busiest = Jurisdiction.objects.get(code="500242")
    city_supervisor, _ = User.objects.get_or_create(
        username="bench-city-supervisor", defaults={"full_name": "市级监管"}
    )
    RoleAssignment.objects.get_or_create(user=city_supervisor, role=Role.SUPERVISOR, jurisdiction=city)
    supervisor = User.objects.filter(
        role_assignments__role=Role.SUPERVISOR, role_assignments__jurisdiction=busiest
    ).first()
    if supervisor is None:
        raise SystemExit("no supervisor in 500242: run bench/city_data.py first")
    print(f"data: {Jurisdiction.objects.count()} jurisdictions, {ServiceRequest.objects.count():,} requests, "
          f"{CaseItem.objects.count():,} items")  # fmt: skip
    factory = RequestFactory()

    def view(user: User, query: str = "", page=dashboard) -> None:  # type: ignore[no-untyped-def]
        request = factory.get(f"/oversight/dashboard/{query}")
        request.user = user
        response = page(request)
        assert response.status_code == 200, response.status_code

    timed("dashboard, one district (500242)", lambda: view(supervisor))
    timed("dashboard, one district, one quarter", lambda: view(supervisor, "?from=2026-07-01&to=2026-09-30"))
    DashboardSnapshot.objects.filter(key=DashboardSnapshot.CITY).delete()
    timed("dashboard, whole city, counted live (no snapshot)", lambda: view(city_supervisor), runs=3)
    timed("snapshot job, whole city", lambda: refresh_city_snapshot(now=timezone.now()), runs=3)
    timed("dashboard, whole city, from the snapshot", lambda: view(city_supervisor), runs=9)
    timed(
        "dashboard, whole city, one quarter",
        lambda: view(city_supervisor, "?from=2026-07-01&to=2026-09-30"),
        runs=3,
    )
    timed(
        "drill-down, one district, overdue",
        lambda: view(supervisor, "?level=overdue", dashboard_items),
        runs=3,
    )
    timed(
        "drill-down, whole city, overdue (first 500)",
        lambda: view(city_supervisor, "?level=overdue", dashboard_items),
        runs=3,
    )

    tracemalloc.start()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        out = ledger_workbook(busiest, Quarter(2026, 3))
    elapsed = time.perf_counter() - start
    size = len(out.read())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"ledger export 500242 2026 Q3: {elapsed * 1000:.0f} ms, {size / 1024:.0f} KiB, {len(queries)} queries, "
          f"peak Python memory {peak / 1024 / 1024:.1f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
