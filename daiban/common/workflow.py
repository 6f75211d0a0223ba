"""The workflow core: every state change of every record goes through `Workflow.apply`.

Why one path: four hand-written engines (request, item, coordination issue, rectification) had drifted
apart — one locked the row and one did not, one wrote history and notifications and one only returned
the target state. Here a graph is data (its moves, who may take each, the labels, the terminal and
clock-running states) and `apply` does the same six things for every graph, inside the caller's
transaction:

1. lock the row (`SELECT … FOR UPDATE` on PostgreSQL; the workflow's parent row first, so every path
   takes locks in the same order), and compare what the caller read with what is stored — the state,
   and the optimistic version where the model has one — so a stale page is refused, never obeyed;
2. check the move (the state), the actor (who may take it) and the workflow's guard;
3. save the new state, the step's own fields and the raised version;
4. write the history entry people read (timeline or notes);
5. write the audit entry (verb, before, after; the jurisdiction derived from the target);
6. queue the notifications, which land in the outbox of the same transaction.

Services stay the place for a step's own validation (dates, texts, files); they lock with
`Workflow.lock`, validate, then call `apply`. Views ask `allowed_actions` / `refusal` to show buttons and
reasons, and never assign a state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.functional import Promise

from .audit import AuditVerb, jsonable, record

M = TypeVar("M", bound=models.Model)
Label = str | Promise

# Records a caller holds locked for the rest of its block (`Workflow.holding`): (model, pk) → the instance.
_HELD: ContextVar[dict[tuple[type[models.Model], object], models.Model]] = ContextVar("held", default={})  # noqa: B039
Person = Any  # a user (the concrete model lives above this layer) or None for the system


class TransitionRefused(ValidationError):
    """A move that is not possible now; the message says why, in the user's language."""


class NotYourStep(TransitionRefused):
    """The person may see the record but this step is someone else's to take (wrong role or not the owner).
    Pages answer it with 403 and the reason (`common.forms.report_outcome`); a page never offers such a
    step, so only a forged or stale post meets it."""


@dataclass(frozen=True)
class Actor(Generic[M]):
    """Who may take a move: a name the table tests and docs use, and the check on (person, record)."""

    name: str
    allows: Callable[[Person, M], bool]
    # Why nobody at all can take the step on this record now (no agent assigned, no reviewer appointed),
    # or None: a refusal then names the missing person instead of "not yours", so an item stuck for want
    # of a person says so on every page that shows it.
    nobody: Callable[[M], str | None] | None = None

    def __str__(self) -> str:
        return self.name


def follows_from_another_step(name: str = "system") -> Actor[Any]:
    """For moves the platform makes as a consequence of another person's step (all items have agents →
    dispatched; last item delivered → completed): whoever took that step is recorded as the actor."""
    return Actor(name, lambda person, obj: True)


@dataclass(frozen=True)
class Move(Generic[M]):
    """One action of a graph: from which states, to which state, who may take it, how it is recorded."""

    action: str
    sources: frozenset[str]
    target: str
    actor: Actor[M]
    verb: AuditVerb  # the audit and history verb, a dotted past participle: `item.filed`
    label: Label
    refused_actor: Label | None = None  # a message of its own when someone else tries it


def move(
    action: str,
    sources: Iterable[str],
    target: str,
    actor: Actor[M],
    verb: AuditVerb,
    label: Label,
    refused_actor: Label | None = None,
) -> Move[M]:
    """A row of a graph's table (positional, so the table reads as one line per move)."""
    return Move(action, frozenset(sources), target, actor, verb, label, refused_actor)


@dataclass(frozen=True)
class Step(Generic[M]):
    """What `apply` did, handed to the workflow's history writer and announcers."""

    move: Move[M]
    obj: M
    before: str
    by: Person
    note: str
    changes: Mapping[str, object]

    @property
    def action(self) -> str:
        return self.move.action

    @property
    def after(self) -> str:
        return self.move.target


@dataclass(frozen=True, eq=False)
class Workflow(Generic[M]):
    """A state graph as data, and the one path that moves a record along it."""

    name: str
    model: type[M]
    moves: tuple[Move[M], ...]
    # Messages: "%(state)s" (or "%(status)s") and "%(action)s" are filled in.
    refused_in_state: Label
    refused_actor: Label
    stale: Label
    state_field: str = "state"
    version_field: str | None = None
    terminal: frozenset[str] = frozenset()
    clock_running: frozenset[str] = frozenset()
    lock_related: tuple[str, ...] = ()
    lock_parent: Callable[[M], None] | None = None
    guard: Callable[[M], str | None] | None = None
    # A condition of one action beyond its state and actor (e.g. completion waits for promised materials):
    # action → check returning the reason it is not possible now, or None.
    action_guards: Mapping[str, Callable[[M], str | None]] = field(default_factory=dict)
    history: Callable[[Step[M]], None] | None = None
    announce: Mapping[str, Callable[[Step[M]], None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        actions = [m.action for m in self.moves]
        if len(set(actions)) != len(actions):
            raise ValueError(f"{self.name}: an action is listed twice")
        states = set(self._choices())
        for m in self.moves:
            unknown = (m.sources | {m.target}) - states
            if unknown:
                raise ValueError(f"{self.name}.{m.action}: unknown states {sorted(unknown)}")
            if m.sources & self.terminal:
                raise ValueError(f"{self.name}.{m.action}: leaves a terminal state")
        unknown_guards = set(self.action_guards) - set(actions)
        if unknown_guards:
            raise ValueError(f"{self.name}: guards for unknown actions {sorted(unknown_guards)}")
        unknown_announce = set(self.announce) - set(actions)
        if unknown_announce:
            raise ValueError(f"{self.name}: announcements for unknown actions {sorted(unknown_announce)}")

    # Reading the graph -------------------------------------------------------------------------------

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(m.action for m in self.moves)

    def move(self, action: str) -> Move[M]:
        for m in self.moves:
            if m.action == action:
                return m
        raise KeyError(f"{self.name} has no action {action!r}")

    def target(self, action: str, state: str) -> str | None:
        m = self.move(action)
        return m.target if state in m.sources else None

    def transitions(self) -> dict[str, dict[str, str]]:
        """The graph as {action: {from: to}} (for docs and table tests)."""
        return {m.action: dict.fromkeys(sorted(m.sources), m.target) for m in self.moves}

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.state_field))

    def state_label(self, state: str) -> str:
        return str(self._choices().get(state, state))

    def _choices(self) -> dict[str, object]:
        state_field = self.model._meta.get_field(self.state_field)
        assert isinstance(state_field, models.Field)
        return dict(state_field.choices or ())

    # Deciding ---------------------------------------------------------------------------------------

    def _refused(
        self, obj: M, action: str, by: Person, asked: dict[tuple[int, str], Any] | None = None
    ) -> TransitionRefused | None:
        """The refusal `by` would meet taking `action` on `obj` now, of its kind, or None if it may.
        `asked` keeps each actor's answers (may `by` act, why nobody can) for one look at the record's
        steps: several moves share an actor (a reviewer's four), and asking again cost a query each on
        every item page."""
        m = self.move(action)
        state = self.state_of(obj)
        if state not in m.sources:
            label = self.state_label(state)
            return TransitionRefused(
                str(self.refused_in_state) % {"state": label, "status": label, "action": m.label}
            )
        asked = {} if asked is None else asked
        actor = m.actor
        if (id(actor), "allows") not in asked:
            asked[(id(actor), "allows")] = actor.allows(by, obj)
        if not asked[(id(actor), "allows")]:
            if (id(actor), "nobody") not in asked:
                asked[(id(actor), "nobody")] = actor.nobody(obj) if actor.nobody is not None else None
            missing = asked[(id(actor), "nobody")]
            return NotYourStep(missing or str(m.refused_actor or self.refused_actor))
        reason = self.guard(obj) if self.guard is not None else None
        if reason is None and action in self.action_guards:
            reason = self.action_guards[action](obj)
        return TransitionRefused(reason) if reason is not None else None

    def refusal(self, obj: M, action: str, *, by: Person) -> str | None:
        """Why `by` cannot take `action` on `obj` now (in the user's language), or None if it can."""
        refused = self._refused(obj, action, by)
        return None if refused is None else refused.messages[0]

    def check(self, obj: M, action: str, *, by: Person) -> Move[M]:
        refused = self._refused(obj, action, by)
        if refused is not None:
            raise refused
        return self.move(action)

    def allowed_actions(self, obj: M, *, by: Person) -> list[Move[M]]:
        """The moves `by` may take now, in graph order (the buttons a page shows)."""
        return self.steps(obj, by=by)[0]

    def blocked_actions(self, obj: M, *, by: Person) -> list[tuple[Move[M], str]]:
        """The moves open from the record's state that `by` may not take, each with the reason (the
        greyed-out steps a page lists, so nobody meets a page without buttons and without a word)."""
        return self.steps(obj, by=by)[1]

    def steps(self, obj: M, *, by: Person) -> tuple[list[Move[M]], list[tuple[Move[M], str]]]:
        """`allowed_actions` and `blocked_actions` in one look at the record, for a page showing both."""
        state = self.state_of(obj)
        allowed: list[Move[M]] = []
        blocked: list[tuple[Move[M], str]] = []
        asked: dict[tuple[int, str], Any] = {}
        for m in self.moves:
            if state not in m.sources:
                continue
            refused = self._refused(obj, m.action, by, asked)
            if refused is None:
                allowed.append(m)
            else:
                blocked.append((m, refused.messages[0]))
        return allowed, blocked

    # Writing ----------------------------------------------------------------------------------------

    def lock(self, obj: M) -> M:
        """Re-read the record under a row lock (its parent's first) for a step's own checks. Inside
        `holding` the held instance is returned as it is: it was read under the same transaction's lock."""
        _require_transaction()
        held = self._held(obj)
        if held is not None:
            return held
        if self.lock_parent is not None:
            self.lock_parent(obj)
        queryset = self.model._default_manager.select_for_update(of=("self",))
        if self.lock_related:
            queryset = queryset.select_related(*self.lock_related)
        return queryset.get(pk=obj.pk)

    def _held(self, obj: M) -> M | None:
        return _HELD.get().get((self.model, obj.pk))  # type: ignore[return-value]

    @contextmanager
    def holding(self, obj: M) -> Iterator[M]:
        """Lock the record once for a caller that runs several checks and one step on it (the API's event
        receiver: its stale check, then the page's own service). Inside the block, `lock` returns the held
        instance and `apply` on it skips the re-read: the row was read under this transaction's lock and
        changes only through this instance. Use it inside the transaction (`transaction.atomic`); after a
        step fails inside a savepoint, re-read the instance (`refresh_from_db`) before using it again."""
        _require_transaction()
        locked = self.lock(obj)
        token = _HELD.set({**_HELD.get(), (self.model, locked.pk): locked})
        try:
            yield locked
        finally:
            _HELD.reset(token)

    def apply(
        self,
        obj: M,
        action: str,
        *,
        by: Person,
        note: str = "",
        expected_version: int | None = None,
        changes: Mapping[str, object] | None = None,
    ) -> M:
        """Move `obj` by `action`: lock, check, save, history, audit, outbox — one transaction."""
        _require_transaction()
        changes = dict(changes or {})
        if self.state_field in changes or (self.version_field and self.version_field in changes):
            raise ValueError("the state and version change only through the graph")
        fields = [self.state_field, *([self.version_field] if self.version_field else [])]
        if self._held(obj) is obj:  # read under this transaction's lock, changed only through itself
            stored = {name: getattr(obj, name) for name in fields}
        else:
            if self.lock_parent is not None:
                self.lock_parent(obj)
            locking = self.model._default_manager.select_for_update(of=("self",))
            stored = locking.values(*fields).get(pk=obj.pk)
        read_state = self.state_of(obj)
        if stored[self.state_field] != read_state:
            raise TransitionRefused(str(self.stale))
        if self.version_field is not None:
            read_version = getattr(obj, self.version_field)
            if stored[self.version_field] != read_version or (
                expected_version is not None and expected_version != read_version
            ):
                raise TransitionRefused(str(self.stale))
        m = self.check(obj, action, by=by)
        before_version = getattr(obj, self.version_field) if self.version_field else None
        setattr(obj, self.state_field, m.target)
        for name, value in changes.items():
            setattr(obj, name, value)
        update_fields = [self.state_field, *changes]
        if self.version_field is not None:
            setattr(obj, self.version_field, int(before_version or 0) + 1)
            update_fields.append(self.version_field)
        obj.save(update_fields=update_fields)
        step = Step(move=m, obj=obj, before=read_state, by=by, note=note, changes=changes)
        if self.history is not None:
            self.history(step)
        before: dict[str, object] = {self.state_field: read_state}
        after: dict[str, object] = {self.state_field: m.target}
        if self.version_field is not None:
            before[self.version_field] = before_version
        after |= {name: jsonable(value) for name, value in changes.items()}
        if note:
            after["note"] = note
        record(actor=by, verb=m.verb, target=obj, before=before, after=after)
        announce = self.announce.get(action)
        if announce is not None:
            announce(step)
        return obj


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow steps run inside the service's transaction (transaction.atomic)")
