"""Deadlines computed per second for 1,000,000 items (issue: at least one million per second).

Items start on random days of 2024–2025 with committed limits of 1–30 working days; 30% have one or two
clock stops (correction rounds, special procedures). The calendar is the national one from the library.
Run: .venv/bin/python bench/deadlines.py [items]
"""

import datetime as dt
import sys
import time
from pathlib import Path

import chinese_calendar
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from daiban.workdays.engine import ClockStop, WorkCalendar


def make_items(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    first = dt.date(2024, 1, 1).toordinal()
    starts = rng.integers(first, first + 700, size=n, dtype=np.int64)
    limits = rng.integers(1, 31, size=n, dtype=np.int64)
    stop_starts = np.zeros((n, 2), dtype=np.int64)
    stop_ends = np.zeros((n, 2), dtype=np.int64)
    has = rng.random(n) < 0.3
    gap1 = rng.integers(1, 10, size=n)
    len1 = rng.integers(0, 15, size=n)
    gap2 = rng.integers(1, 10, size=n)
    len2 = rng.integers(0, 10, size=n)
    two = has & (rng.random(n) < 0.4)
    stop_starts[has, 0] = starts[has] + gap1[has]
    stop_ends[has, 0] = stop_starts[has, 0] + len1[has]
    stop_starts[two, 1] = stop_ends[two, 0] + gap2[two]
    stop_ends[two, 1] = stop_starts[two, 1] + len2[two]
    return starts, limits, stop_starts, stop_ends


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    t0 = time.perf_counter()
    cal = WorkCalendar(
        years=range(2004, 2027),
        holidays=chinese_calendar.holidays.keys(),
        makeup_workdays=[d for d in chinese_calendar.workdays if d.weekday() >= 5],
    )
    build_ms = (time.perf_counter() - t0) * 1000
    rng = np.random.default_rng(20261122)
    starts, limits, s, e = make_items(n, rng)

    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        out = cal.deadlines(starts, limits, s, e)
        runs.append(time.perf_counter() - t0)
    best = min(runs)

    sample = 100_000
    stops = [
        [
            ClockStop(dt.date.fromordinal(int(a)), dt.date.fromordinal(int(b)))
            for a, b in zip(s[i], e[i], strict=True)
            if a
        ]
        for i in range(sample)
    ]
    dates = [dt.date.fromordinal(int(x)) for x in starts[:sample]]
    lims = limits[:sample].tolist()
    t0 = time.perf_counter()
    scalar = [cal.deadline(dates[i], lims[i], stops[i]) for i in range(sample)]
    scalar_s = time.perf_counter() - t0
    assert [d.toordinal() for d in scalar] == out[:sample].tolist(), "batch and scalar disagree"

    print(f"calendar build (2004–2026): {build_ms:.1f} ms")
    print(f"batch:  {n:,} deadlines in {best * 1000:.1f} ms = {n / best / 1e6:.1f} million/s (best of 5)")
    print(
        f"scalar: {sample:,} deadlines in {scalar_s * 1000:.0f} ms = {sample / scalar_s / 1e6:.2f} million/s"
    )


if __name__ == "__main__":
    main()
