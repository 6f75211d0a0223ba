"""Test settings: fast hashing, in-memory SQLite unless DATABASE_URL points at PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import SQLITE_OPTIONS, database_from_url

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if "DATABASE_URL" in os.environ:
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "OPTIONS": SQLITE_OPTIONS}
    }

# Jobs run when tests call them; the Redis-backed path has its own test against the real Redis.
HUEY = {"huey_class": "huey.MemoryHuey", "name": "daiban-test", "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DAIBAN_SMS_GATEWAY = "daiban.notifications.channels.RecordingSmsGateway"
