"""Production: every secret and address from the environment; refuse to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, media_storage

if not os.environ.get("DJANGO_SECRET_KEY"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in production (PostgreSQL)")
if not os.environ.get("REDIS_URL"):
    # One machine without Redis: the job queue is a SQLite file under DAIBAN_VAR_DIR, which must exist, and
    # the cache (API nonces and rate counts) a table of the database, shared by every gunicorn worker
    # (`manage.py createcachetable`, run by `make serve` and the deployment's migrate step).
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "daiban_cache"}
    }

DEBUG = False
if "DAIBAN_LOG_FORMAT" not in os.environ:  # the log collector reads JSON lines
    LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only (等保 通信传输): the proxy terminates TLS and says so in X-Forwarded-Proto; plain HTTP is
# redirected, except the probes the load balancer sends to each app server directly.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool(
    "DJANGO_SECURE_HSTS_PRELOAD", True
)  # only a header: listing is the county's step
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Static files are served by the app servers themselves (no CDN on government intranets).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405

# Persistent connections with a health check before reuse (issue #19: the floor went from 65–78 to
# 250–314 requests/s). DATABASE_CONN_MAX_AGE=0 turns them off; with a pooler in front, keep it short.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = os.environ.get("DATABASE_CONN_HEALTH_CHECKS", "true") == "true"  # noqa: F405
