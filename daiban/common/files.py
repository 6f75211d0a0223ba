"""Files that follow their transaction: an upload is written when it arrives — so a storage that fails
fails the transaction, and nothing is half-saved — and removed again if the transaction that would have
recorded it rolls back, so no file is left without its row (issue #18).

Django has `on_commit` but no rollback hook. `remove_on_rollback` registers a small keeper with `on_commit`;
on commit Django calls it and the file stays. On rollback — of the transaction or of the savepoint the
keeper was registered in — Django drops its pending callbacks unrun; nothing else refers to the keeper, so
it is freed at that moment and its finalizer removes the file. (A keeper still pending when the process
exits belongs to a transaction that never committed: the finalizer removes that file too.)
"""

import logging
import weakref

from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)


class _Keeper:
    def __init__(self, storage: Storage, name: str) -> None:
        self.state = {"committed": False}
        weakref.finalize(self, _remove_unless_committed, storage, name, self.state)

    def __call__(self) -> None:
        self.state["committed"] = True


def _remove_unless_committed(storage: Storage, name: str, state: dict[str, bool]) -> None:
    if state["committed"]:
        return
    try:
        storage.delete(name)
    except Exception:
        logger.exception("could not remove %s after its transaction rolled back", name)
    else:
        logger.info("removed %s: its transaction rolled back", name)


def remove_on_rollback(storage: Storage, name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Call right after writing `name`: it stays if the current transaction commits, else it is removed.
    Outside a transaction (autocommit) the write counts as committed."""
    transaction.on_commit(_Keeper(storage, name), using=using)
