"""How long `make run`'s `load_demo` takes on an empty SQLite database (dev settings, as `make run` runs it):
wall time and CPU time (the machine is shared; CPU time is the figure that does not depend on the others),
and what it made. Usage: `.venv/bin/python bench/demo_load.py [--no-history]`."""

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    extra = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "demo.sqlite3"
        env = os.environ | {
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        }
        subprocess.run(  # noqa: S603 - this interpreter and manage.py
            [PYTHON, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        cpu, wall = cpu_of_children(), time.perf_counter()
        subprocess.run(  # noqa: S603 - this interpreter and manage.py
            [PYTHON, "manage.py", "load_demo", "--skip-checks", *extra],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall, cpu = time.perf_counter() - wall, cpu_of_children() - cpu
        with sqlite3.connect(database) as db:
            counts = {
                table: db.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 - our names
                for table in (
                    "cases_servicerequest",
                    "cases_caseitem",
                    "cases_timelineentry",
                    "feedback_evaluation",
                    "feedback_rectification",
                    "oversight_quarterlyledger",
                    "organizations_user",
                )
            }
        print(f"load_demo {' '.join(extra)}: {wall:.1f} s wall, {cpu:.1f} s CPU; made {counts}")


if __name__ == "__main__":
    main()
