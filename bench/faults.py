"""Faults under load (issue #18): the roles' page mix through gunicorn with production settings while the
database, then Redis, go away and come back — without restarting the app servers.

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/daiban_perf_city
    .venv/bin/python bench/faults.py --clients 10 --seconds 45 --outage 10

A third scenario fails the SMS gateway under the same load: a worker (`manage.py deliver_outbox --forever 1`)
sends the notifications a writer thread keeps committing (a batch every half second) to a fake gateway on
the loopback, which hangs for the outage and then answers again. What should hold: pages unaffected (the
worker holds no transaction while it waits), every message sent once the back-off has passed, none lost.

The database "restarts" as the app servers see it: every connection to it is cut and new ones are refused,
by a TCP relay between gunicorn and PostgreSQL that this script stops and starts (the machine's PostgreSQL
itself is shared and stays up). Redis is a `redis-server` of our own on a free port, really stopped and
started. Each answer is classed by when it came — before, during or after the outage (with a few seconds'
grace for connections in flight) — as 200, the Chinese 503 page (with Retry-After), or anything else (an
error). What should hold: no error outside the outage, 503 pages (never a 500 or a trace) during it, and
pages again after it with the same gunicorn processes. Bounded: fixed clients, fixed time, loopback only.
"""

import argparse
import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import ROOT, gunicorn, prepare

ROLES = ["agent", "coordinator", "supervisor", "city supervisor"]
GRACE_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Relay:
    """A TCP relay 127.0.0.1:port → target that can be stopped (cutting every connection) and started."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.listener: socket.socket | None = None
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        with self.lock:
            for s in self.open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


class OwnRedis:
    """Our own `redis-server` on a free port, keeping nothing on disk, that can be stopped and started."""

    def __init__(self) -> None:
        self.port, self.workdir = free_port(), Path(tempfile.mkdtemp(prefix="faults-redis-"))
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.server: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.server = subprocess.Popen(  # noqa: S603  (our own redis-server, by its full path)
            [self.binary, "--port", str(self.port), "--save", "", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)
            self.server = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


PHASES = ("before", "during", "after")


@dataclass
class Answers:
    by_phase: dict[str, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in PHASES})
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def classify(url: str, cookie: str) -> str:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(
            "GET", path, headers={"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"}
        )
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
    except OSError as error:
        return f"no answer ({type(error).__name__})"
    finally:
        connection.close()
    if response.status == 200:
        return "200"
    if response.status == 503 and "服务暂时不可用" in body and response.getheader("Retry-After"):
        return "503 page"
    return f"HTTP {response.status}"


def load(
    base: str, mix: list[tuple[str, list[str]]], clients: int, until: float, window: list[float]
) -> Answers:
    answers = Answers()

    def phase(now: float) -> str:
        down, up = window
        if now < down:
            return "before"
        return "during" if now < up + GRACE_SECONDS else "after"

    def client(cookie: str, paths: list[str]) -> None:
        n = 0
        while time.monotonic() < until:
            path = paths[n % len(paths)]
            n += 1
            started = time.monotonic()
            outcome = classify(base + path, cookie)
            with answers.lock:
                answers.by_phase[phase(started)][outcome] += 1
                if outcome not in ("200", "503 page") and len(answers.samples) < 10:
                    answers.samples.append(f"{phase(started)} {path}: {outcome}")

    threads = [threading.Thread(target=client, args=mix[n % len(mix)], daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def scenario(
    name: str,
    base: str,
    mix: list[tuple[str, list[str]]],
    args: argparse.Namespace,
    cut: Callable[[], None],
    mend: Callable[[], None],
) -> None:
    start = time.monotonic()
    until = start + args.seconds
    window = [start + args.seconds / 3, start + args.seconds / 3 + args.outage]

    def outage() -> None:
        time.sleep(max(window[0] - time.monotonic(), 0))
        cut()
        time.sleep(max(window[1] - time.monotonic(), 0))
        mend()

    fault = threading.Thread(target=outage, daemon=True)
    fault.start()
    answers = load(base, mix, args.clients, until, window)
    fault.join()
    print(f"\n{name}: {args.clients} clients for {args.seconds:.0f} s, outage {args.outage:.0f} s")
    print("| phase | " + " | ".join(sorted({k for c in answers.by_phase.values() for k in c})) + " |")
    keys = sorted({k for c in answers.by_phase.values() for k in c})
    print("| --- |" + " --- |" * len(keys))
    for p in PHASES:
        print(f"| {p} | " + " | ".join(str(answers.by_phase[p][k]) for k in keys) + " |")
    for sample in answers.samples:
        print(f"    {sample}")


GATEWAY_PEOPLE = 20


def gateway_scenario(base: str, mix: list[tuple[str, list[str]]], args: argparse.Namespace) -> None:
    """The SMS gateway hangs for the outage while pages are loaded and notifications keep being written."""
    from django.db import connection, transaction

    from daiban.notifications.models import OutboundMessage
    from daiban.notifications.services import notify
    from daiban.notifications.tests.fake_gateway import FakeGateway
    from daiban.organizations.models import User

    people = [
        User.objects.update_or_create(
            username=f"bench-gateway-{n}",
            defaults={"password": "!", "mobile": f"1390000{n:04d}", "email": ""},
        )[0]
        for n in range(GATEWAY_PEOPLE)
    ]
    OutboundMessage.objects.filter(notification__verb="bench.gateway").delete()
    gateway = FakeGateway().start()
    gateway.delay = 0.02
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.web_settings",
        DAIBAN_SMS_GATEWAY="daiban.notifications.channels.HttpSmsGateway",
        DAIBAN_SMS_URL=gateway.url,
        DAIBAN_SMS_DEADLINE_SECONDS="2",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_outbox", "--forever", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    mine = OutboundMessage.objects.filter(notification__verb="bench.gateway")
    notify(recipients=people[:1], verb="bench.gateway", title="压测提醒")
    started = time.monotonic()
    while mine.exclude(status="sent").exists():  # the worker is up and sending before the load starts
        if time.monotonic() - started > 120:
            raise SystemExit("the worker sent nothing within 2 minutes")
        time.sleep(0.5)
    until = time.monotonic() + args.seconds

    def write() -> None:
        while time.monotonic() < until:
            with transaction.atomic():
                notify(recipients=people[:5], verb="bench.gateway", title="压测提醒")
            time.sleep(0.5)
        connection.close()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        scenario(
            "SMS gateway hanging, then answering",
            base,
            mix,
            args,
            lambda: setattr(gateway, "mode", "hang"),
            lambda: setattr(gateway, "mode", "ok"),
        )
        writer.join()
        waited = time.monotonic()
        while mine.exclude(status="sent").exists() and time.monotonic() - waited < 300:
            time.sleep(2)
        keys = {str(k) for k in mine.values_list("delivery_key", flat=True)}
        statuses = dict(Counter(mine.values_list("status", flat=True)))
        failed_attempts = sum(mine.values_list("attempts", flat=True)) - len(keys)
        accepted_twice = sum(1 for key in keys if gateway.receipts[key] > 1)
        print(
            f"    messages written {len(keys)}, by status {statuses},"
            f" drained {time.monotonic() - waited:.0f} s after the load;"
            f" lost (never reached the gateway): {len(keys - set(gateway.receipts))};"
            f" failed attempts (the gateway hanging): {failed_attempts};"
            f" reached it more than once: {accepted_twice} (attempts the hanging gateway never answered)"
        )
    finally:
        worker.terminate()
        worker.wait(30)
        gateway.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--outage", type=float, default=10)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--faults", default="database,redis,gateway", help="which outages, of database, redis, gateway"
    )
    args = parser.parse_args()
    if (
        not 1 <= args.clients <= 50
        or not 10 <= args.seconds <= 300
        or not 1 <= args.outage < args.seconds / 2
    ):
        raise SystemExit("at most 50 clients for 10–300 s, the outage shorter than half the run")
    database = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    relay = Relay((database.hostname or "127.0.0.1", database.port or 5432))
    relay.start()
    cookies, pages = prepare(ROOT)
    mix = [(cookies[who], [path for _label, page_who, path in pages if page_who == who]) for who in ROLES]
    redis = OwnRedis()
    redis.start()
    os.environ["DATABASE_URL"] = database._replace(
        netloc=f"{database.username}@127.0.0.1:{relay.port}"
    ).geturl()
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis.port}/0"
    try:
        with gunicorn(ROOT, args.port, cookies["agent"]) as base:
            faults = set(args.faults.split(","))
            if "database" in faults:
                scenario("database cut and restored", base, mix, args, relay.stop, relay.start)
            if "redis" in faults:
                scenario("Redis stopped and started", base, mix, args, redis.stop, redis.start)
            if "gateway" in faults:
                gateway_scenario(base, mix, args)
    finally:
        redis.close()
    relay.stop()


if __name__ == "__main__":
    main()
