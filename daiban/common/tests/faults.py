"""Real database faults for tests: a trigger that refuses some inserts into a table, on SQLite and on
PostgreSQL, so the code under test meets the error the database itself raises."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def inserts_refused(table: str, column: str, value: str) -> Iterator[None]:
    """While inside, inserting a row into `table` whose `column` equals `value` fails in the database."""
    quoted = value.replace("'", "''")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION daiban_injected_fault() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.{column} = '{quoted}' THEN RAISE EXCEPTION 'injected fault'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER daiban_injected_fault BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION daiban_injected_fault()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER daiban_injected_fault BEFORE INSERT ON {table} "
                f"WHEN NEW.{column} = '{quoted}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER daiban_injected_fault ON {table}")
                cursor.execute("DROP FUNCTION daiban_injected_fault()")
            else:
                cursor.execute("DROP TRIGGER daiban_injected_fault")
