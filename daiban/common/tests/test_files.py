"""A file written inside a transaction stays exactly when the transaction commits: real commits and real
rollbacks (outermost and savepoints) against FileSystemStorage in a temporary directory."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction

from daiban.common.files import remove_on_rollback


class Boom(Exception):
    pass


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path)


def write(storage: FileSystemStorage, name: str = "a.pdf") -> str:
    saved = storage.save(name, ContentFile(b"%PDF-1.4"))
    remove_on_rollback(storage, saved)
    assert storage.exists(saved)
    return saved


def write_and_fail(storage: FileSystemStorage, names: list[str], name: str = "a.pdf") -> None:
    """In a transaction (or savepoint) of its own: write, then fail."""
    with transaction.atomic():
        names.append(write(storage, name))
        raise Boom


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_keeps_its_file(storage):
    with transaction.atomic():
        name = write(storage)
    assert storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_file(storage):
    names: list[str] = []
    with pytest.raises(Boom):
        write_and_fail(storage, names)
    assert names and not storage.exists(names[0])


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_removes_its_file_and_the_outer_one_keeps_its_own(storage):
    with transaction.atomic():
        outer = write(storage, "outer.pdf")
        names: list[str] = []
        with pytest.raises(Boom):
            write_and_fail(storage, names, "inner.pdf")
        assert names and not storage.exists(names[0])  # at once, not at the outer commit
    assert storage.exists(outer)


@pytest.mark.django_db(transaction=True)
def test_a_released_savepoint_follows_the_outer_rollback(storage):
    names: list[str] = []

    def release_then_fail() -> None:
        with transaction.atomic():
            with transaction.atomic():
                names.append(write(storage))
            assert storage.exists(names[0])
            raise Boom

    with pytest.raises(Boom):
        release_then_fail()
    assert names and not storage.exists(names[0])


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_write_stands(storage):
    name = write(storage)
    assert storage.exists(name)
