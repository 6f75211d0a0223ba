"""Backups a county can restore (issue #18): the database and every uploaded file, with a manifest that lets
the restore prove it has exactly what was backed up before it touches anything.

A backup directory holds `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite, copied
with the sqlite3 backup API, safe while the site runs), `media/` (every file of the media storage, local or
the object store) and `manifest.json`: the database vendor, the app version and applied migrations, the row
count of every table, and the size and SHA-256 of the database file and of every media file.

Consistency: the table counts are taken in the very snapshot that is dumped (PostgreSQL: an exported
snapshot that `pg_dump --snapshot` reuses; SQLite: counted in the copy). Media is copied *after* the
database, and a file is written before the row that names it commits (daiban/common/files.py), so every
document row in the backup has its file; at worst the copy holds a file whose row came later.

Restore puts the rows back exactly as they were. The outbox needs nothing special (ADR 0007): a message sent
before the backup is `sent` and stays so, the notify-once keys stay, so nothing the backup knows was sent goes
out again; a message claimed but not yet confirmed keeps its claim, whose lease runs out, and it is then sent
again with the same idempotency key, which the gateway recognises — exactly what happens when a worker dies.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be made or restored as asked; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def app_version() -> str:
    """The version in pyproject.toml and, when the code is a git checkout, its commit."""
    version = "unknown"
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    for line in pyproject.read_text(encoding="utf-8").splitlines():
        if line.startswith("version = "):
            version = line.split("=", 1)[1].strip().strip('"')
            break
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=pyproject.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+{commit}"


def applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def table_counts() -> dict[str, int]:
    """Rows in every table of the live database (used after a restore, with nobody else writing)."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        return {name: _count(cursor, connection.ops.quote_name(name)) for name in sorted(names)}


def _count(cursor: Any, quoted: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a quoted table name
    return int(cursor.fetchone()[0])


def media_names(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every file in the storage, walking its directories (prefixes on an object store)."""
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:  # a local media root that was never created: no files yet
        return
    for name in sorted(files):
        yield f"{prefix}/{name}" if prefix else name
    for directory in sorted(directories):
        yield from media_names(storage, f"{prefix}/{directory}" if prefix else directory)


def _pg_environment() -> dict[str, str]:
    """libpq's variables for pg_dump/pg_restore: the password never appears on a command line."""
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(params["NAME"])}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed programs, arguments from settings
        command, env=_pg_environment(), capture_output=True, text=True, timeout=3600, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump in a snapshot exported by a REPEATABLE READ transaction that counts the rows in that same
    snapshot, so the manifest describes exactly what was dumped while the site keeps writing."""
    wrapper = connection.copy()
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
            names = [row[0] for row in cursor.fetchall()]
            counts = {name: _count(cursor, connection.ops.quote_name(name)) for name in names}
            _run(["pg_dump", "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}", "-f", str(target)])
            cursor.execute("COMMIT")
    finally:
        raw.close()
    return counts


def _copy_sqlite(target: Path) -> dict[str, int]:
    """The sqlite3 online backup: a consistent copy even while others write; the rows are counted in it."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        names = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: _count(copy.cursor(), connection.ops.quote_name(name)) for name in names}
    finally:
        copy.close()


def create_backup(*, directory: Path, storage: Storage = default_storage) -> Summary:
    """Write a backup into `directory`, which must be new or empty (a backup is never mixed with another)."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    directory.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        database_file = directory / PG_DUMP
        counts = _dump_postgresql(database_file)
    elif connection.vendor == "sqlite":
        database_file = directory / SQLITE_COPY
        counts = _copy_sqlite(database_file)
    else:
        raise BackupError(f"no backup for {connection.vendor}")
    files = []
    for name in media_names(storage):
        target = directory / MEDIA_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, CHUNK)
        files.append({"name": name, "size": target.stat().st_size, "sha256": sha256_of(target)})
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "app_version": app_version(),
        "migrations": applied_migrations(),
        "tables": counts,
        "database": {"name": database_file.name, "sha256": sha256_of(database_file)},
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Summary(tables=len(counts), rows=sum(counts.values()), files=len(files))


def verify_backup(directory: Path) -> dict[str, Any]:
    """The manifest, once every check passed: the right format and database, migrations this code knows,
    the database file and every media file with its checksum — and no file the manifest does not list."""
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable manifest in {directory}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(f"a {manifest.get('vendor')} backup cannot be restored into {connection.vendor}")
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            "the backup was made by newer code (unknown migrations: " + ", ".join(unknown) + ")"
        )
    database = manifest["database"]
    database_file = directory / str(database["name"])
    if not database_file.is_file() or sha256_of(database_file) != database["sha256"]:
        raise BackupError(f"{database_file.name} is missing or does not match its checksum")
    media = directory / MEDIA_DIR
    listed = {str(f["name"]) for f in manifest["files"]}
    present = (
        {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
        if media.exists()
        else set()
    )
    if present != listed:
        extra, missing = sorted(present - listed), sorted(listed - present)
        raise BackupError(
            f"media files differ from the manifest: missing {missing[:5]}, unlisted {extra[:5]}"
        )
    for entry in manifest["files"]:
        if sha256_of(media / PurePosixPath(entry["name"])) != entry["sha256"]:
            raise BackupError(f"media file {entry['name']} does not match its checksum")
    return manifest


def restore_backup(*, directory: Path, storage: Storage = default_storage) -> Summary:
    """Replace the database and put every media file back, after `verify_backup` passed. Stop the app and
    worker machines first (docs/operations.md); run `manage.py migrate` afterwards if the code is newer."""
    manifest = verify_backup(directory)
    database_file = directory / str(manifest["database"]["name"])
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore drops and recreates the tables: no session of ours may hold them
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
              "-d", _pg_environment()["PGDATABASE"], str(database_file)])  # fmt: skip
    else:
        connection.ensure_connection()
        source = sqlite3.connect(database_file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    for entry in manifest["files"]:
        name = str(entry["name"])
        if storage.exists(name):
            storage.delete(name)
        with (directory / MEDIA_DIR / PurePosixPath(name)).open("rb") as f:
            saved = storage.save(name, File(f))
        if saved != name:
            raise BackupError(f"media file {name} was stored as {saved}")
    counts = table_counts()
    differ = sorted(name for name, rows in manifest["tables"].items() if counts.get(name) != rows)
    if differ:
        raise BackupError("restored tables differ from the manifest: " + ", ".join(differ))
    tables: dict[str, int] = manifest["tables"]
    return Summary(tables=len(tables), rows=sum(tables.values()), files=len(manifest["files"]))
