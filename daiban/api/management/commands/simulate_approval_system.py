"""A stand-in for the 工改系统: moves the client's items along through the API, as the real system would
post its events — ready items are filed, filed ones reviewed, reviewed ones approved. Run it against
`make run` (with a client made in the admin) to watch events flow into the pages."""

import datetime as dt
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daiban.api import signing

NEXT = {  # item state → the event the approval system posts next
    "ready": "filed",
    "filed": "review_started",
    "resubmitted": "review_started",
    "under_review": "approved",
}


class Client:
    def __init__(self, base_url: str, key_id: str, secret: str) -> None:
        self.base_url, self.key_id, self.secret = base_url.rstrip("/"), key_id, secret

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        header = signing.authorization_header(
            key_id=self.key_id,
            secret=self.secret,
            method=method,
            full_path=path,
            body=data,
            timestamp=int(time.time()),
            nonce=secrets.token_hex(12),
        )
        request = urllib.request.Request(  # noqa: S310 - the operator's own base URL
            self.base_url + path,
            data=data if body is not None else None,
            method=method,
            headers={"Authorization": header, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


class Command(BaseCommand):
    help = "Simulate the approval system: file, review and approve items through the API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", required=True)
        parser.add_argument("--key-id", "--client-id", dest="key_id", required=True)
        parser.add_argument("--secret", "--key", dest="secret", required=True)
        parser.add_argument("--passes", type=int, default=3, help="how many steps each item may move")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client(options["base_url"], options["key_id"], options["secret"])
        for _ in range(options["passes"]):
            moved = 0
            for state, kind in NEXT.items():
                status, page = client.call("GET", f"/api/v1/items?state={state}&limit=200")
                if status != 200:
                    raise CommandError(f"listing items answered {status}: {page}")
                for item in page["items"]:
                    moved += self._post(client, item, kind)
            if not moved:
                break

    def _post(self, client: Client, item: dict[str, Any], kind: str) -> int:
        body: dict[str, Any] = {
            "event_id": f"sim-{item['id']}-{kind}-{item['version']}",
            "kind": kind,
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        if kind == "filed":
            body["receipt_number"] = f"SIM-{item['id']:06d}"
        if kind == "approved":
            body["result_number"] = f"SIM-R-{item['id']:06d}"
        status, answer = client.call("POST", f"/api/v1/items/{item['id']}/events", body)
        self.stdout.write(f"{item['id']} {item['name']} {kind}: {status} {answer.get('outcome', answer)}")
        return 1 if status in (200, 201) else 0
