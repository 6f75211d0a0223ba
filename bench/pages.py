"""Page harness (issue #19): the pages people open all day, over HTTP through gunicorn with production
settings, on the city data set, each request interleaved with the floor view; median of --runs, and each
page's query count (one request in-process through Django's test client, same database).

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban_perf_city
    .venv/bin/python bench/pages.py --runs 20            # this checkout
    .venv/bin/python bench/pages.py --source /tmp/base   # another tree (bench/web_*.py copied into it)

It starts gunicorn itself (2 sync workers, port --port) and stops it at the end.
"""

import argparse
import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sessions(source: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Sign the bench people in (a session each, second factor verified) and name the pages to time:
    (label, who, path)."""
    sys.path.insert(0, str(source))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.test import Client

    from daiban.accounts.tests.signin import sign_in_fully
    from daiban.cases.models import CaseItem
    from daiban.organizations.models import Jurisdiction, Role, RoleAssignment, User

    code = "500242"
    people = {
        "agent": User.objects.get(username=f"b{code}-0"),
        "coordinator": User.objects.get(username=f"b{code}-24"),
        "supervisor": User.objects.get(username=f"b{code}-29"),
    }
    city_supervisor, _ = User.objects.get_or_create(
        username="bench-city-supervisor", defaults={"password": "!"}
    )
    RoleAssignment.objects.get_or_create(
        user=city_supervisor, role=Role.SUPERVISOR, jurisdiction=Jurisdiction.objects.get(code="500000")
    )
    people["city supervisor"] = city_supervisor
    cookies = {}
    for who, user in people.items():  # signed in as the login page does: stamps and the second factor
        client = Client()
        sign_in_fully(client, user)
        cookies[who] = client.cookies["sessionid"].value
    item = CaseItem.objects.filter(agent=people["agent"], filed_on__isnull=False).order_by("id").first()
    assert item is not None, "the agent has no filed item: generate the data with bench/city_data.py"
    unit = RoleAssignment.objects.get(user=people["coordinator"], role=Role.COORDINATOR).unit_id
    q = "year=2026&quarter=3"
    pages = [
        ("request list", "city supervisor", "/requests/"),
        ("request list", "supervisor", "/requests/"),
        ("request list", "coordinator", "/requests/"),
        ("request list", "agent", "/requests/"),
        ("worklist", "agent", "/requests/worklist/"),
        ("dispatch queue", "coordinator", "/requests/dispatch/"),
        ("request detail", "agent", f"/requests/{item.request_id}/"),
        ("item detail", "agent", f"/requests/{item.request_id}/items/{item.pk}/"),
        ("ranking (units)", "supervisor", f"/oversight/ranking/?j={code}&{q}"),
        ("ranking (agents)", "supervisor", f"/oversight/ranking/?j={code}&{q}&target=agent"),
        ("ledger detail", "supervisor", f"/oversight/ledgers/{unit}/2026/3/"),
        ("dashboard", "coordinator", "/oversight/dashboard/"),
        ("home", "agent", "/home/"),
    ]
    return cookies, pages


def query_counts(cookies: dict[str, str], pages: list[tuple[str, str, str]]) -> dict[tuple[str, str], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, who, path in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = cookies[who]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (label, who, path, response.status_code)
        counts[(label, who)] = len(queries)
    return counts


def timed(url: str, cookie: str) -> float:
    """One GET on a fresh connection, as a browser's first request to a worker; seconds to the last byte."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    start = time.perf_counter()
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # As behind the TLS-terminating proxy production runs behind (else: a redirect to https).
        headers = {"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise OSError(f"{url}: HTTP {response.status}")
    finally:
        connection.close()
    return time.perf_counter() - start


@contextlib.contextmanager
def gunicorn(source: Path, port: int, cookie: str, workers: int = 2) -> Iterator[str]:
    """Our own gunicorn on the loopback interface (production settings plus the floor view), warmed until
    the floor answers; yields the base URL and stops the server at the end."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.web_settings")
    server = subprocess.Popen(  # noqa: S603  (our own gunicorn)
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--chdir",
            str(source),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "config.wsgi",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                timed(f"{base}/bench/floor/", cookie)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def prepare(source: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Production settings for this process and the server, static files collected, sessions made."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to the city data set (bench/city_data.py)")
    os.environ["DJANGO_SECRET_KEY"] = "bench-only"  # noqa: S105  (the sessions' auth hash is keyed with it)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.web_settings")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=source,
        env=env,
        check=True,
    )
    return sessions(source)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--source", type=Path, default=ROOT, help="the tree to serve (default: this one)")
    args = parser.parse_args()
    cookies, pages = prepare(args.source)
    counts = query_counts(cookies, pages)
    with gunicorn(args.source, args.port, cookies["agent"]) as base:
        for _label, who, path in pages:  # warm both workers (calendars, templates)
            for _ in range(2):
                timed(base + path, cookies[who])
        floor: list[float] = []
        times: dict[tuple[str, str], list[float]] = {(label, who): [] for label, who, _ in pages}
        for _ in range(args.runs):
            for label, who, path in pages:
                floor.append(timed(f"{base}/bench/floor/", cookies[who]))
                times[(label, who)].append(timed(base + path, cookies[who]))
    floor_ms = statistics.median(floor) * 1000
    print(f"source {args.source}, {args.runs} runs, floor median {floor_ms:.1f} ms")
    print("| page | who | median | × floor | queries |")
    print("| --- | --- | --- | --- | --- |")
    for (label, who), values in times.items():
        ms = statistics.median(values) * 1000
        print(f"| {label} | {who} | {ms:.0f} ms | {ms / floor_ms:.1f}× | {counts[(label, who)]} |")


if __name__ == "__main__":
    main()
