"""The construction period (施工期) between the construction permit and completion acceptance: its default
per construction type comes from data (`data/construction_periods.toml`, each figure with its source or
marked to be confirmed), and the agent may set it per request (`ConstructionPeriod`)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from daiban.projects.models import Project

DATA = Path(__file__).resolve().parent / "data" / "construction_periods.toml"
MAX_DAYS = 3650  # ten years: longer is a typing slip, not a construction period


@dataclass(frozen=True)
class DefaultPeriod:
    days: int
    source: str  # empty when the figure is still to be confirmed
    to_confirm: bool


def parse_defaults(text: str) -> dict[str, DefaultPeriod]:
    """Every construction type has one entry with 1…MAX_DAYS days and either a source or `to_confirm`;
    anything else is refused at load, so a plan never runs on a half-entered table."""
    try:
        kinds = tomllib.loads(text).get("kinds", {})
    except tomllib.TOMLDecodeError as exc:
        raise ImproperlyConfigured(f"construction periods: {exc}") from exc
    periods: dict[str, DefaultPeriod] = {}
    for kind in Project.Kind.values:
        entry = kinds.get(kind)
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"construction periods: no entry for {kind!r}")
        days, source, to_confirm = entry.get("days"), entry.get("source", ""), entry.get("to_confirm", False)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            raise ImproperlyConfigured(f"construction periods: {kind!r} needs days between 1 and {MAX_DAYS}")
        if (
            not isinstance(source, str)
            or not isinstance(to_confirm, bool)
            or bool(source.strip()) == to_confirm
        ):
            raise ImproperlyConfigured(f"construction periods: {kind!r} needs a source or to_confirm = true")
        periods[kind] = DefaultPeriod(days=days, source=source.strip(), to_confirm=to_confirm)
    unknown = set(kinds) - set(Project.Kind.values)
    if unknown:
        raise ImproperlyConfigured(f"construction periods: unknown types {sorted(unknown)}")
    return periods


@functools.cache
def defaults() -> dict[str, DefaultPeriod]:
    return parse_defaults(DATA.read_text(encoding="utf-8"))


def default_period(kind: str) -> DefaultPeriod:
    return defaults()[kind]
