from typing import Any

from huey.api import Huey as Huey
from huey.api import MemoryHuey as MemoryHuey
from huey.api import RedisHuey as RedisHuey
from huey.api import SqliteHuey as SqliteHuey
from huey.api import crontab as crontab

def __getattr__(name: str) -> Any: ...
