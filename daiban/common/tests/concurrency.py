"""Run service calls at the same moment, each in its own thread and so on its own database connection,
to prove that two people acting at once cannot break a rule. Only meaningful on PostgreSQL: SQLite
serialises writers by locking the whole file, and the in-memory test database is not shared between
connections. Tests using this need `@pytest.mark.django_db(transaction=True)`, since the threads must see
the rows the test committed beforehand."""

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Model
from django.utils import translation

HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Outcome:
    """What one call came to: its return value, or the exception it raised."""

    value: object = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def refused(self) -> bool:
        """It raised Django's ValidationError: the service said no, as it does to a user."""
        return isinstance(self.error, ValidationError)

    @property
    def message(self) -> str:
        if isinstance(self.error, ValidationError):
            return " ".join(str(m) for m in self.error.messages)
        return "" if self.error is None else f"{type(self.error).__name__}: {self.error}"

    @property
    def has_chinese_message(self) -> bool:
        """A refusal a Chinese user can read: not empty, and in Chinese (an untranslated one is English)."""
        return bool(self.message.strip()) and bool(HAN.search(self.message))

    def __str__(self) -> str:
        if self.ok:
            return "ok"
        return f"{type(self.error).__name__}({self.message!r})" if self.refused else self.message


def run_together(
    *calls: Callable[[], object], timeout: float = 30.0, connect_first: bool = True
) -> list[Outcome]:
    """Start every call at once (a barrier releases them together) and return their outcomes in order.

    Each thread connects before the barrier so that opening a connection does not give one of them a head
    start, activates the caller's language (Django's active language is per thread), and closes its
    connections at the end. A thread still running after `timeout` seconds fails the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)
    language = translation.get_language()

    def work(index: int, call: Callable[[], object]) -> None:
        try:
            if language:
                translation.activate(language)
            if connect_first:
                connections["default"].ensure_connection()
            barrier.wait(timeout)
            outcomes[index] = Outcome(value=call())
        except BaseException as exc:  # every outcome, even a failed barrier, goes to the test
            outcomes[index] = Outcome(error=exc)
            barrier.abort()  # a thread that failed before the barrier must not leave the others waiting
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(i, call), name=f"run-together-{i}", daemon=True)
        for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        raise AssertionError(f"still running after {timeout} s (a lock never released?): {', '.join(stuck)}")
    return [outcome for outcome in outcomes if outcome is not None]


def attempt(call: Callable[[], object]) -> Outcome:
    """One call in this thread, its exception kept as the outcome (for the sequential cases)."""
    try:
        return Outcome(value=call())
    except Exception as exc:  # the outcome is the test's to judge
        return Outcome(error=exc)


def posted(service: Callable[..., object], **kwargs: object) -> Callable[[], object]:
    """The service call a view makes when a form is posted: it reads every object it is given afresh from
    the database (in the calling thread, as each request would), but form fields such as `expected_version`
    keep the values the page was rendered with."""

    def call() -> object:
        fresh = {
            name: type(value)._default_manager.get(pk=value.pk) if isinstance(value, Model) else value
            for name, value in kwargs.items()
        }
        return service(**fresh)

    return call


def one_wins(outcomes: list[Outcome]) -> bool:
    """The contract for people doing conflicting things at once: exactly one succeeds, and every other is
    refused with a readable Chinese message (not a database error, not a silent second success)."""
    winners = [o for o in outcomes if o.ok]
    return len(winners) == 1 and all(o.refused and o.has_chinese_message for o in outcomes if not o.ok)


@dataclass
class RaceTally:
    """Counts, over the rounds of one race, those that broke the rule (read from the database afterwards)
    and those whose outcomes missed the contract; `check()` fails with both counts and what was seen."""

    broken_rule: str
    contract: str = "exactly one success, the other refused in Chinese"
    rounds: int = 0
    broken: int = 0
    missed: int = 0
    seen: Counter[str] = field(default_factory=Counter)

    def add(self, outcomes: list[Outcome], *, broken: bool, kept: bool | None = None) -> None:
        self.rounds += 1
        self.broken += broken
        self.missed += not (one_wins(outcomes) if kept is None else kept)
        self.seen[" + ".join(sorted(str(o) for o in outcomes))] += 1

    def summary(self) -> str:
        seen = "; ".join(f"{count}× {outcomes}" for outcomes, count in self.seen.most_common())
        return (
            f"{self.broken}/{self.rounds} rounds with {self.broken_rule}; "
            f"{self.missed}/{self.rounds} rounds not {self.contract}. Outcomes: {seen}"
        )

    def check(self) -> None:
        assert self.rounds > 0, "no rounds were run"
        assert self.broken == 0 and self.missed == 0, self.summary()
