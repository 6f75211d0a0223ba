"""How long loading the reference data takes (it runs on every `make run` and in many tests)."""

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0)
    old = runner.setup_databases()
    try:
        from django.db import transaction

        from daiban.catalogue.services import catalogue_data_files, load_catalogue
        from daiban.organizations.services import load_organisations, organisation_data_files

        timings = []
        for _ in range(5):
            start = time.perf_counter()
            with transaction.atomic():
                for path in organisation_data_files():
                    load_organisations(path=path)
                for path in catalogue_data_files():
                    load_catalogue(path=path)
                transaction.set_rollback(True)
            timings.append(time.perf_counter() - start)
        print(
            f"reference data load: median {statistics.median(timings) * 1000:.0f} ms over {len(timings)} runs"
        )
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
