"""API benchmark (issue #16): item event ingestion and list latency, over HTTP through gunicorn with
production settings, on the city data set (bench/city_data.py) on PostgreSQL.

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban_apibench
    .venv/bin/python bench/city_data.py --scale 0.02 --districts 40
    .venv/bin/python bench/api.py --clients 8 --workers 4 --items 200 --runs 3 --list-runs 20
    .venv/bin/python bench/api.py --runs 0          # the lists only (each run uses up --items items)

1. Ingestion: one signed API client per district (scope post_item_events, a high rate limit), --items items
   per run taken from those in `collecting` with an agent and moved to `ready` here (bench data only), a
   section reviewer registered for each of their departments; --clients threads each take an item and post
   its chain `filed → review_started → approved` (HMAC-signed, fresh connection per call, as gunicorn's sync
   workers close each one), as fast as the server answers. Prints events/s, p50/p95 and every answer that
   is not 201. --runs runs on disjoint items; medians.
2. Lists: `GET /api/v1/requests?limit=20` and `/api/v1/items?limit=20`, first page and from a cursor, for the
   signed client of district 500242 and for its coordinator's session, each right after the floor view
   (`/bench/floor/`, pages.py), median of --list-runs; query counts in-process.
"""

import argparse
import base64
import contextlib
import datetime as dt
import http.client
import json
import os
import queue
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import ROOT, gunicorn, prepare, timed

CODE = "500242"
CHAIN = ("filed", "review_started", "approved")
PAGE = 20


@dataclass
class Key:
    key_id: str
    secret: str


def setup_clients() -> dict[int, Key]:
    """One bench client per district with a fresh key (the old bench keys revoked); jurisdiction id → key."""
    from django.db import transaction

    from daiban.api.models import ApiClient, ApiKey, Scope
    from daiban.api.services import issue_key
    from daiban.organizations.models import Jurisdiction

    keys = {}
    with transaction.atomic():
        ApiKey.objects.filter(client__name="bench 工改系统").delete()
        for jurisdiction in Jurisdiction.objects.filter(parent__isnull=False):
            client, _ = ApiClient.objects.update_or_create(
                name="bench 工改系统",
                jurisdiction=jurisdiction,
                defaults={
                    "scopes": [Scope.POST_ITEM_EVENTS, Scope.READ_CASES],
                    "rate_limit_per_minute": 1_000_000,
                    "is_active": True,
                },
            )
            issued = issue_key(client=client, by=None)
            keys[jurisdiction.pk] = Key(issued.key.key_id, issued.secret)
    return keys


def ready_items(count: int, *, by_district: bool = False) -> list[tuple[int, int]]:
    """`count` items moved from `collecting` to `ready` (bench data only: what `mark_ready` would do after
    the checklist), spread over the districts, with a section reviewer for each department; returns
    (item, jurisdiction) pairs."""
    from django.db import transaction

    from daiban.cases.models import CaseItem
    from daiban.organizations.models import Role, RoleAssignment, User

    with transaction.atomic():
        rows = list(
            CaseItem.objects.filter(state="collecting", agent__isnull=False)
            .order_by(*(["-request__jurisdiction__code", "?"] if by_district else ["?"]))
            .values_list(
                "pk", "request__jurisdiction_id", "approval_item__department_id", "approval_item__section_id"
            )[:count]
        )
        if len(rows) < count:
            raise SystemExit(f"only {len(rows)} collecting items left: regenerate or ask for fewer")
        CaseItem.objects.filter(pk__in=[r[0] for r in rows]).update(state="ready")
        for jid, department, section in {(r[1], r[2], r[3]) for r in rows}:
            held = RoleAssignment.objects.filter(
                role=Role.SECTION_REVIEWER, unit_id=department, revoked_at__isnull=True
            )
            if section is not None:
                held = held.filter(section_id=section)
            if not held.exists():
                user, _ = User.objects.get_or_create(
                    username=f"bench-reviewer-{department}-{section or 0}", defaults={"password": "!"}
                )
                RoleAssignment.objects.create(
                    user=user,
                    role=Role.SECTION_REVIEWER,
                    jurisdiction_id=jid,
                    unit_id=department,
                    section_id=section,
                )
    return [(r[0], r[1]) for r in rows]


def signed(key: Key, method: str, path: str, body: bytes) -> dict[str, str]:
    from daiban.api import signing

    header = signing.authorization_header(
        key_id=key.key_id,
        secret=key.secret,
        method=method,
        full_path=path,
        body=body,
        timestamp=int(time.time()),
        nonce=secrets.token_hex(12),
    )
    return {"Authorization": header, "Content-Type": "application/json", "X-Forwarded-Proto": "https"}


def call(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, bytes, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, data, time.perf_counter() - start


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def poster(
    port: int, keys: dict[int, Key], work: "queue.Queue[tuple[int, int]]", run: str, tally: Tally
) -> None:
    while True:
        try:
            item, jid = work.get_nowait()
        except queue.Empty:
            return
        moment = dt.datetime.now(dt.UTC)
        for step, kind in enumerate(CHAIN):
            payload: dict[str, str] = {
                "event_id": f"bench-{run}-{item}-{kind}",
                "kind": kind,
                "occurred_at": (moment + dt.timedelta(seconds=step)).isoformat(),
            }
            if kind == "filed":
                payload["receipt_number"] = f"BENCH-{item:08d}"
            if kind == "approved":
                payload["result_number"] = f"BENCH-R-{item:08d}"
            body = json.dumps(payload).encode()
            path = f"/api/v1/items/{item}/events"
            try:
                status, data, elapsed = call(port, "POST", path, signed(keys[jid], "POST", path, body), body)
                label = str(status) if status == 201 else f"{status} {data[:160].decode(errors='replace')}"
            except OSError as error:
                label, elapsed = f"no answer: {error}", 0.0
            with tally.lock:
                tally.answers[label] = tally.answers.get(label, 0) + 1
                if label == "201":
                    tally.times.append(elapsed)
            if label != "201":
                break  # the rest of this chain would be refused


def batch_poster(
    port: int,
    keys: dict[int, Key],
    work: "queue.Queue[list[tuple[int, int]]]",
    run: str,
    tally: Tally,
) -> None:
    """Batch mode: take a group of one district's items (see `ingest`) and post all their chains' events
    in one call to /api/v1/item-events/batch (the filings first, then the reviews, then the approvals)."""
    while True:
        try:
            group = work.get_nowait()
        except queue.Empty:
            return
        by_district: dict[int, list[int]] = {}
        for item, jid in group:
            by_district.setdefault(jid, []).append(item)
        moment = dt.datetime.now(dt.UTC)
        for jid, district_items in by_district.items():
            events = []
            for step, kind in enumerate(CHAIN):
                for item in district_items:
                    payload: dict[str, object] = {
                        "item_id": item,
                        "event_id": f"bench-{run}-{item}-{kind}",
                        "kind": kind,
                        "occurred_at": (moment + dt.timedelta(seconds=step)).isoformat(),
                    }
                    if kind == "filed":
                        payload["receipt_number"] = f"BENCH-{item:08d}"
                    if kind == "approved":
                        payload["result_number"] = f"BENCH-R-{item:08d}"
                    events.append(payload)
            body = json.dumps({"events": events}).encode()
            path = "/api/v1/item-events/batch"
            labels: list[str]
            try:
                status, data, elapsed = call(port, "POST", path, signed(keys[jid], "POST", path, body), body)
                if status == 200:
                    labels = [
                        str(r["status"]) if r["status"] == 201 else f"{r['status']} {r['detail'][:100]}"
                        for r in json.loads(data)["results"]
                    ]
                else:
                    labels = [f"{status} {data[:160].decode(errors='replace')}"] * len(events)
            except OSError as error:
                labels, elapsed = [f"no answer: {error}"] * len(events), 0.0
            with tally.lock:
                for label in labels:
                    tally.answers[label] = tally.answers.get(label, 0) + 1
                    if label == "201":
                        tally.times.append(elapsed)


@dataclass
class Result:
    events: int
    wall: float
    p50: float
    p95: float
    answers: dict[str, int]
    load: tuple[float, float]

    @property
    def rate(self) -> float:
        return self.events / self.wall


def ingest(
    port: int, keys: dict[int, Key], items: list[tuple[int, int]], clients: int, run: str, batch: int = 0
) -> Result:
    work: queue.Queue[tuple[int, int]] = queue.Queue()
    groups: queue.Queue[list[tuple[int, int]]] = queue.Queue()
    if batch:  # one district's items a call, batch // 3 items (3 events each) at most
        per_call = max(1, batch // len(CHAIN))
        districts: dict[int, list[tuple[int, int]]] = {}
        for entry in items:
            districts.setdefault(entry[1], []).append(entry)
        for entries in districts.values():
            for first in range(0, len(entries), per_call):
                groups.put(entries[first : first + per_call])
    else:
        for entry in items:
            work.put(entry)
    tally = Tally()
    threads = [
        threading.Thread(target=batch_poster, args=(port, keys, groups, run, tally))
        if batch
        else threading.Thread(target=poster, args=(port, keys, work, run, tally))
        for _ in range(clients)
    ]
    start = time.monotonic()
    load_before = os.getloadavg()[0]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - start
    times = sorted(tally.times)
    return Result(
        events=len(times),
        wall=wall,
        p50=statistics.median(times) * 1000,
        p95=times[int(0.95 * (len(times) - 1))] * 1000,
        answers=tally.answers,
        load=(load_before, os.getloadavg()[0]),
    )


def list_paths(keys: dict[int, Key]) -> tuple[list[tuple[str, str]], Key]:
    """(label, path) of the lists, 20 a page: the first page, and a page from a cursor in the middle of the
    district's rows (the caller then reads on from there, as an incremental sync does)."""
    from django.db.models import QuerySet

    from daiban.cases.models import CaseItem, ServiceRequest
    from daiban.organizations.models import Jurisdiction

    jid = Jurisdiction.objects.get(code=CODE).pk
    key = keys[jid]

    def cursor(qs: "QuerySet[ServiceRequest] | QuerySet[CaseItem]") -> str:
        pks = list(qs.order_by("pk").values_list("pk", flat=True))
        return base64.urlsafe_b64encode(str(pks[len(pks) // 2]).encode()).decode().rstrip("=")

    requests = cursor(ServiceRequest.objects.filter(jurisdiction_id=jid))
    items = cursor(CaseItem.objects.filter(request__jurisdiction_id=jid))
    return [
        ("requests, first page", f"/api/v1/requests?limit={PAGE}"),
        ("requests, cursor page", f"/api/v1/requests?limit={PAGE}&cursor={requests}"),
        ("items, first page", f"/api/v1/items?limit={PAGE}"),
        ("items, cursor page", f"/api/v1/items?limit={PAGE}&cursor={items}"),
    ], key


def query_counts(paths: list[tuple[str, str]], key: Key, cookie: str) -> dict[tuple[str, str], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, path in paths:
        for who in ("signed client", "coordinator"):
            client = Client(HTTP_HOST="127.0.0.1")
            headers: dict[str, str] = {}
            if who == "coordinator":
                client.cookies["sessionid"] = cookie
            else:
                headers = {"Authorization": signed(key, "GET", path, b"")["Authorization"]}
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, headers=headers)
            assert response.status_code == 200, (label, who, response.status_code, response.content[:300])
            counts[(label, who)] = len(queries)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8, help="concurrent event posters")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--items", type=int, default=300, help="items per ingestion run (3 events each)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--list-runs", type=int, default=20)
    parser.add_argument("--skip-lists", action="store_true")
    parser.add_argument("--port", type=int, default=8109)
    parser.add_argument("--batch", type=int, default=0, help="events a call (batch endpoint); 0: one a call")
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 0 <= args.items * args.runs <= 20_000:
        raise SystemExit("at most 64 clients and 20,000 items")
    cookies, _pages = prepare(ROOT)
    keys = setup_clients()
    # A batch carries one client's (one district's) events: batch mode takes the items district by district.
    batches = [ready_items(args.items, by_district=bool(args.batch)) for _ in range(args.runs)]
    paths, key = list_paths(keys)
    counts = query_counts(paths, key, cookies["coordinator"])
    with gunicorn(ROOT, args.port, cookies["agent"], workers=args.workers) as _base:
        for _ in range(2 * args.workers):  # warm the workers
            timed(f"http://127.0.0.1:{args.port}/bench/floor/", cookies["agent"])
            for _label, path in paths:
                call(args.port, "GET", path, signed(key, "GET", path, b""))
        mode = f"batches of {args.batch} events" if args.batch else "one event a call"
        print(
            f"{args.clients} posters, {args.workers} gunicorn workers, "
            f"{args.items} items × 3 events a run, {mode}"
        )
        print("| run | events | wall | events/s | p50 | p95 | load avg before/after | answers |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        results = []
        stamp = str(int(time.time()))
        for n, batch in enumerate(batches):
            r = ingest(args.port, keys, batch, args.clients, f"{stamp}-{n}", args.batch)
            results.append(r)
            print(
                f"| {n + 1} | {r.events} | {r.wall:.1f} s | {r.rate:.0f} | {r.p50:.0f} ms | "
                f"{r.p95:.0f} ms | {r.load[0]:.1f} / {r.load[1]:.1f} | {r.answers} |"
            )
        if results:
            print(f"median events/s {statistics.median([r.rate for r in results]):.0f}")

        if args.skip_lists:
            return
        floor: list[float] = []
        times: dict[tuple[str, str], list[float]] = {
            (label, who): [] for label, _ in paths for who in ("signed client", "coordinator")
        }
        load_before = os.getloadavg()[0]
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(args.list_runs):
            for label, path in paths:
                floor.append(timed(f"{base}/bench/floor/", cookies["coordinator"]))
                status, data, elapsed = call(args.port, "GET", path, signed(key, "GET", path, b""))
                assert status == 200, (path, status, data[:300])
                times[(label, "signed client")].append(elapsed)
                floor.append(timed(f"{base}/bench/floor/", cookies["coordinator"]))
                times[(label, "coordinator")].append(timed(base + path, cookies["coordinator"]))
        floor_ms = statistics.median(floor) * 1000
        print(
            f"\nlists: {args.list_runs} runs, floor median {floor_ms:.1f} ms, "
            f"load avg {load_before:.1f} / {os.getloadavg()[0]:.1f}"
        )
        print("| list | who | median | × floor | queries |")
        print("| --- | --- | --- | --- | --- |")
        for (label, who), values in times.items():
            ms = statistics.median(values) * 1000
            print(f"| {label} | {who} | {ms:.1f} ms | {ms / floor_ms:.1f}× | {counts[(label, who)]} |")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
