"""Load of the roles' page mix (issue #19): --clients threads, each a person of one role (agent, coordinator,
supervisor, city supervisor in turn) opening that role's pages of `pages.py` one after another, as fast as
the server answers, for --seconds; then the same clients on the floor view alone. Prints requests/s,
median and 95th percentile, and errors (any answer but 200, or no answer) for both.

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban_perf_city
    .venv/bin/python bench/load.py --clients 20 --seconds 60

Bounded: a fixed number of threads for a fixed time, each waiting for its answer before the next request,
against our own gunicorn on 127.0.0.1 only (started and stopped here, as in `pages.py`).
"""

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import ROOT, gunicorn, prepare, timed

ROLES = ["agent", "coordinator", "supervisor", "city supervisor"]


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(base: str, cookie: str, paths: list[str], until: float, tally: Tally) -> None:
    n = 0
    while time.monotonic() < until:
        path = paths[n % len(paths)]
        n += 1
        try:
            elapsed = timed(base + path, cookie)
        except OSError as error:  # an HTTP status other than 200, a refused or dropped connection
            with tally.lock:
                tally.errors.append(f"{path}: {error}")
            continue
        with tally.lock:
            tally.times.append(elapsed)


def run(base: str, mix: list[tuple[str, list[str]]], clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    start = time.monotonic()
    until = start + seconds
    threads = [
        threading.Thread(target=client, args=(base, *mix[n % len(mix)], until, tally), daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return tally, time.monotonic() - start


def report(name: str, tally: Tally, wall: float) -> None:
    times = sorted(tally.times)
    p95 = times[int(0.95 * (len(times) - 1))] if times else float("nan")
    p50 = statistics.median(times) if times else float("nan")
    print(
        f"| {name} | {len(times) / wall:.1f} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms | "
        f"{len(tally.errors)} |"
    )
    for error in tally.errors[:5]:
        print(f"    error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    if not 1 <= args.clients <= 100 or not 1 <= args.seconds <= 600:
        raise SystemExit("at most 100 clients for at most 600 s")
    cookies, pages = prepare(ROOT)
    mix = [(cookies[who], [path for _label, page_who, path in pages if page_who == who]) for who in ROLES]
    floor = [(cookies[who], ["/bench/floor/"]) for who in ROLES]
    with gunicorn(ROOT, args.port, cookies["agent"], workers=args.workers) as base:
        for cookie, paths in mix:  # warm the workers (calendars, templates)
            for path in paths:
                timed(base + path, cookie)
        print(f"{args.clients} clients, {args.seconds:.0f} s each, {args.workers} gunicorn workers")
        print("| load | requests/s | median | p95 | errors |")
        print("| --- | --- | --- | --- | --- |")
        report("floor view", *run(base, floor, args.clients, args.seconds))
        report("role mix", *run(base, mix, args.clients, args.seconds))


if __name__ == "__main__":
    main()
