"""Catalogue loading at city scale (issue #14): the catalogues of 40 districts loaded as new versions, then
each re-loaded as a changed version (a committed limit, a renamed and a removed material, an added item),
on PostgreSQL holding the city data set's case items. A load writes only the new version's rows and flips
`is_active`; it never touches a case item (ADR 0015), so its time must not grow with their number: run it
on two sizes of the data set and compare.

    .venv/bin/python scripts/pg_database.py create daiban_onboard
    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban_onboard
    .venv/bin/python bench/city_data.py --scale 0.01 --districts 40
    .venv/bin/python bench/catalogue_reload.py
    # again after `city_data.py --scale 0.1` into a fresh database

Every run is rolled back, so the data set is unchanged and the runs are repeatable."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from daiban.cases.models import CaseItem, ItemMaterial
from daiban.catalogue import services
from daiban.catalogue.models import CatalogueVersion
from daiban.organizations.models import Jurisdiction, Unit

CHANGE = """
[overrides.construction-permit]
time_limit_days = 2
materials = [
  { name = "建筑工程施工许可证申请表（2026年版）", key = true },
  { name = "建设工程规划许可证", key = true },
  { name = "施工、监理合同（依法应当招标的附中标通知书）", key = true },
]

[[items]]
code = "bench-local-item"
name = "本区补充事项（基准测试）"
stage = "construction_permit"
department = "zjw"
legal_time_limit_days = 20
time_limit_days = 5
result = { name = "基准测试结果" }
source = "基准测试数据"
materials = [{ name = "申请表" }]
"""


def district_files(folder: Path, jurisdictions: list[Jurisdiction], run: int, changed: bool) -> list[Path]:
    """One jurisdiction file per district over the standard base; `changed` adds the changes above."""
    paths = []
    for j in jurisdictions:
        suffix = "b" if changed else "a"
        text = f'jurisdiction = "{j.code}"\nversion = "bench-{run}{suffix}"\nbase = "chongqing-standard"\n'
        if j.code == "500111":  # 大足's own assignment (its file's override)
            text += '[overrides.project-approval]\ndepartment = "jxw"\nsection = "tzk"\nsource = "大足"\n'
        path = folder / f"{j.code}.toml"
        path.write_text(text + (CHANGE if changed else ""), encoding="utf-8")
        paths.append(path)
    return paths


def fill_checklists() -> None:
    """city_data.py writes no checklist lines; they are what a reload must never touch (`PROTECT` on the
    material made the old loader fail), so give every case item its approval item's materials, once."""
    if ItemMaterial.objects.exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_itemmaterial (case_item_id, material_id, status, note)"
            " SELECT ci.id, m.id, 'received', '' FROM cases_caseitem ci"
            " JOIN catalogue_material m ON m.item_id = ci.approval_item_id"
        )


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to the PostgreSQL database city_data.py filled")
    fill_checklists()
    jurisdictions = list(
        Jurisdiction.objects.filter(level=Jurisdiction.Level.COUNTY, units__kind=Unit.Kind.DEPARTMENT)
        .distinct()
        .order_by("code")
    )
    case_items = CaseItem.objects.count()
    checklist = ItemMaterial.objects.count()
    print(f"{len(jurisdictions)} districts, {case_items:,} case items, {checklist:,} checklist rows")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for f in services.DATA_DIR.glob("chongqing-standard.toml"):
            (folder / f.name).write_bytes(f.read_bytes())
        services.DATA_DIR = folder  # the base file is read from here
        loads, reloads, per_district, queries = [], [], [], []
        for run in range(3):
            with transaction.atomic():
                first = district_files(folder, jurisdictions, run, changed=False)
                start = time.perf_counter()
                for path in first:
                    services.load_catalogue(path=path)
                loads.append(time.perf_counter() - start)
                second = district_files(folder, jurisdictions, run, changed=True)
                start = time.perf_counter()
                for path in second:
                    connection.queries_log.clear()  # the log is capped; count from empty
                    t = time.perf_counter()
                    with CaptureQueriesContext(connection) as captured:
                        services.load_catalogue(path=path)
                    per_district.append(time.perf_counter() - t)
                    queries.append(len(captured))
                reloads.append(time.perf_counter() - start)
                in_force = CatalogueVersion.objects.filter(status="in_force", version__endswith="b").count()
                assert in_force == len(jurisdictions), in_force
                assert CaseItem.objects.count() == case_items  # nothing a case points to changed
                transaction.set_rollback(True)
    print(
        f"load 40 catalogues: median {statistics.median(loads):.2f} s; "
        f"re-load a changed version of each: median {statistics.median(reloads):.2f} s "
        f"(one district: median {statistics.median(per_district) * 1000:.0f} ms, "
        f"max {max(per_district) * 1000:.0f} ms, {min(queries)}–{max(queries)} queries) "
        f"over {len(loads)} runs"
    )


if __name__ == "__main__":
    main()
