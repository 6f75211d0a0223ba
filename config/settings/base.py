"""Settings shared by every environment. Everything that differs between machines comes from the
environment."""

import os
import sys
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

# Django's generic classes (ModelChoiceField[User], ModelAdmin[Unit], …) accept their type parameters at run
# time too, so annotations and base classes can name them as the type checker does.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DAIBAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "csp",
    "daiban.common",
    "daiban.workdays",
    "daiban.organizations",
    "daiban.catalogue",
    "daiban.projects",
    "daiban.notifications",
    "daiban.cases",
    "daiban.planning",
    "daiban.assistance",
    "daiban.feedback",
    "daiban.oversight",
    "daiban.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "daiban.common.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "daiban.common.access.PermissionRuleMiddleware",
]
# The header holding the client's address when a reverse proxy sits in front (e.g. HTTP_X_REAL_IP).
DAIBAN_CLIENT_IP_HEADER = os.environ.get("DAIBAN_CLIENT_IP_HEADER", "REMOTE_ADDR")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "daiban.portal.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'daiban.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organizations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("DAIBAN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # one working day
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own static files — no inline script, no eval,
# nothing from elsewhere — so injected markup cannot run. Inline *styles* stay allowed: the vendored chart
# libraries set style attributes on the elements they draw (docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DAIBAN_LOG_LEVEL", "INFO")},
}

# Working days left at or below which an item counts as due soon (临期). Overdue is past the deadline.
DAIBAN_DUE_SOON_WORKING_DAYS = int(os.environ.get("DAIBAN_DUE_SOON_WORKING_DAYS", "2"))
# The city-wide dashboard reads figures the job recomputes every 10 minutes; older than this, it counts live.
DAIBAN_CITY_FIGURES_MAX_AGE_MINUTES = int(os.environ.get("DAIBAN_CITY_FIGURES_MAX_AGE_MINUTES", "15"))

# Background jobs (deadline sweeps, reminders, notification delivery). Embedded default: a SQLite-backed
# queue and one consumer started by `make run`; with REDIS_URL, Redis-backed workers on any number of
# machines.
REDIS_URL = os.environ.get("REDIS_URL", "")
if not REDIS_URL and "redis" not in sys.modules:
    # huey.storage imports the Redis client whenever the package is installed, and redis-py imports its
    # asyncio client with it: a third of a second on every manage.py command, web and worker start. Without
    # REDIS_URL nothing in this process talks to Redis, so the optional backend is marked absent here and
    # huey (which expects an ImportError for a missing backend) leaves it; SqliteHuey needs none of it.
    sys.modules["redis"] = None  # type: ignore[assignment]
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "daiban",
        "url": REDIS_URL,
        "immediate": False,
        "utc": False,  # crontab in Asia/Shanghai: the sweep runs at 8:00 local time
        "consumer": {"workers": int(os.environ.get("DAIBAN_WORKERS", "4")), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "daiban",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": False,
        "utc": False,
        "consumer": {"workers": 1, "worker_type": "thread"},
    }

# Notification delivery: in-app always; e-mail over SMTP and SMS through a gateway adapter.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "daiban@localhost")
DAIBAN_SMS_GATEWAY = os.environ.get("DAIBAN_SMS_GATEWAY", "daiban.notifications.channels.ConsoleSmsGateway")
DAIBAN_SMS_URL = os.environ.get("DAIBAN_SMS_URL", "")
DAIBAN_SMS_TOKEN = os.environ.get("DAIBAN_SMS_TOKEN", "")
# Escalate an overdue item to the supervisors once it is this many working days late.
DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER = int(os.environ.get("DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER", "3"))
# Working days a unit has to rectify after a bad rating or a complaint.
DAIBAN_RECTIFICATION_WORKING_DAYS = int(os.environ.get("DAIBAN_RECTIFICATION_WORKING_DAYS", "10"))
# Working days after a quarter's end by which each unit submits its ledger.
DAIBAN_LEDGER_WORKING_DAYS = int(os.environ.get("DAIBAN_LEDGER_WORKING_DAYS", "5"))
