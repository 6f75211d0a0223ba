from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from huey.api import Huey, TaskWrapper, Validator

_P = ParamSpec("_P")
_R = TypeVar("_R")

HUEY: Huey

def db_task(*args: Any, **kwargs: Any) -> Callable[[Callable[_P, _R]], TaskWrapper[_P, _R]]: ...
def db_periodic_task(
    validate_datetime: Validator, *args: Any, **kwargs: Any
) -> Callable[[Callable[_P, _R]], TaskWrapper[_P, _R]]: ...
def on_startup(name: str | None = None) -> Callable[[Callable[[], None]], Callable[[], None]]: ...
def __getattr__(name: str) -> Any: ...
