"""预排工期 benchmark: one plan of 30 items (target under 10 ms), and replanning 10,000 requests in a batch.

Run: .venv/bin/python bench/planning.py
"""

import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

import chinese_calendar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings

if not settings.configured:
    settings.configure(USE_I18N=False)

from daiban.planning.engine import PlanItem, schedule
from daiban.workdays.engine import WorkCalendar


def make_items(rng: random.Random, n: int) -> list[PlanItem]:
    items = []
    for i in range(n):
        prerequisites = tuple(f"i{j}" for j in rng.sample(range(i), k=min(i, rng.randint(0, 3))))
        items.append(PlanItem(f"i{i}", f"事项{i}", rng.randint(1, 20), prerequisites, rng.randint(0, 10)))
    return items


def main() -> None:
    calendar = WorkCalendar(
        years=range(2004, 2027),
        holidays=chinese_calendar.holidays.keys(),
        makeup_workdays=[d for d in chinese_calendar.workdays if d.weekday() >= 5],
    )
    rng = random.Random(20261122)
    thirty = make_items(rng, 30)
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        schedule(calendar=calendar, start_on=dt.date(2025, 3, 3), items=thirty)
        timings.append(time.perf_counter() - start)
    print(
        f"plan of 30 items: median {statistics.median(timings) * 1000:.2f} ms, "
        f"max {max(timings) * 1000:.2f} ms"
    )

    requests = [
        (dt.date(2024, 1, 2) + dt.timedelta(days=rng.randint(0, 500)), make_items(rng, rng.randint(5, 15)))
        for _ in range(10_000)
    ]
    start = time.perf_counter()
    for start_on, items in requests:
        schedule(calendar=calendar, start_on=start_on, items=items)
    elapsed = time.perf_counter() - start
    print(f"replanning 10,000 requests (5–15 items each): {elapsed:.2f} s = {10_000 / elapsed:,.0f} plans/s")


if __name__ == "__main__":
    main()
