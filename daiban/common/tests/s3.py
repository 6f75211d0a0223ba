"""A real S3-compatible server for tests: moto in server mode, started as its own process on a free port,
so uploads go over HTTP through boto3 exactly as they would to MinIO or a 政务云 object store."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3

ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # moto accepts any key
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self):  # boto3 clients are built at run time: no static type
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        name = f"daiban-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    def storage_settings(self, bucket: str) -> dict[str, object]:
        """The STORAGES["default"] entry config.settings.base.media_storage builds from the environment."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.endpoint_url,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        }

    def environment(self, bucket: str) -> dict[str, str]:
        """The same, as the variables an app or worker process reads (deploy/daiban.env.example)."""
        return {
            "DAIBAN_S3_BUCKET": bucket,
            "DAIBAN_S3_ENDPOINT_URL": self.endpoint_url,
            "DAIBAN_S3_REGION": REGION,
            "DAIBAN_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "DAIBAN_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, seconds: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {seconds} s")


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    try:
        wait_for_port(port, seconds=30, process=process)
        yield S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)
