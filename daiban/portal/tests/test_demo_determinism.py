"""Same seed and same date, same history: two runs on an empty database give one digest; another seed
gives another."""

import pytest
from django.db import transaction

from daiban.organizations.models import User
from daiban.portal.demo import demo_password_hash, load_demo
from daiban.portal.demo_history import history_digest, load_history


class Rollback(Exception):
    pass


def _digest_of_run(seed: int) -> str:
    digest = ""
    try:
        with transaction.atomic():
            made = load_history(
                by=User.objects.get(username="admin"),
                password_hash=demo_password_hash(),
                seed=seed,
                projects=1,
                showcase=False,
            )
            assert made > 0
            digest = history_digest()
            raise Rollback
    except Rollback:
        pass
    return digest


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    load_demo()
    first = _digest_of_run(7)
    assert first == _digest_of_run(7)
    assert first != _digest_of_run(8)
