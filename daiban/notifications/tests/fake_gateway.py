"""A fake SMS gateway on a real socket, for the fault tests: it counts every request it receives (by its
idempotency key) and then behaves as told — answers, fails, hangs, trickles, talks garbage or answers late.

It does not deduplicate, so the receipts show exactly what our side sent.
"""

import collections
import socket
import socketserver
import threading
import time
from typing import ClassVar

OK = b"".join(
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n",
        b'Connection: close\r\n\r\n{"ok":true}',
    ]
)
ERROR = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Handler(socketserver.BaseRequestHandler):
    server: "FakeGateway"

    def handle(self) -> None:
        gateway = self.server
        sock: socket.socket = self.request
        sock.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(4096)
            if not chunk:
                return
            body += chunk
        with gateway.lock:
            gateway.receipts[headers.get("idempotency-key", "")] += 1
            gateway.bodies.append(body)
        mode = gateway.mode
        if mode == "ok":
            if gateway.delay:
                time.sleep(gateway.delay)
            sock.sendall(OK)
        elif mode == "500":
            sock.sendall(ERROR)
        elif mode == "garbage":
            sock.sendall(b"\x00\x17\xffSMSGW READY\r\n\r\n")
        elif mode == "hang":
            gateway.stopping.wait(60)
        elif mode == "trickle":
            for byte in OK:  # one byte every 0.2 s: each read is quick, the whole answer takes ~20 s
                if gateway.stopping.wait(0.2):
                    return
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    return


class FakeGateway(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    modes: ClassVar[set[str]] = {"ok", "500", "garbage", "hang", "trickle"}

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.receipts: collections.Counter[str] = collections.Counter()
        self.bodies: list[bytes] = []
        self.mode = "ok"
        self.delay = 0.0
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"

    def start(self) -> "FakeGateway":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def free_port() -> int:
    """A port nothing listens on (bound and released), for the refused-connection case."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
