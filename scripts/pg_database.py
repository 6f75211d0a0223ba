"""Create or drop a PostgreSQL database for a CI run: `pg_database.py create|drop NAME`.

The suite then creates its own test database beside it (pytest-django's `test_` prefix).
"""

import os
import re
import sys

import psycopg


def main() -> None:
    action, name = sys.argv[1], sys.argv[2]
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"bad database name: {name!r}")
    url = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(url, autocommit=True) as conn:
        if action == "create":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        elif action == "drop":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')
        else:
            raise SystemExit(f"unknown action: {action}")


if __name__ == "__main__":
    main()
