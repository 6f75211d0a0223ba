"""Settings shared by every environment. Everything that differs between machines comes from the
environment."""

import datetime as dt
import os
from pathlib import Path
from typing import Any

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
    "django_guid",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "daiban.common",
    "daiban.workdays",
    "daiban.organizations",
    "daiban.catalogue",
    "daiban.projects",
    "daiban.notifications",
    "daiban.cases",
    "daiban.planning",
    "daiban.assistance",
    "daiban.onboarding",
    "daiban.feedback",
    "daiban.service_levels",
    "daiban.oversight",
    "daiban.accounts",
    "daiban.portal",
    "daiban.integrations",
    "daiban.api",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "daiban.common.middleware.AuditMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "daiban.accounts.middleware.AccountControlsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "daiban.common.access.PermissionRuleMiddleware",
    "daiban.common.params.BadParameterMiddleware",
    # Last: turns a login refused for too many failures into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
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

# The embedded SQLite must never drop a web write while the job consumer writes too (issue #17): WAL lets
# readers and one writer work at once; IMMEDIATE takes the write lock when a transaction begins, so two
# writers queue for it (a DEFERRED reader that later writes fails at once with "database is locked" instead
# of waiting); the busy timeout is how long a writer queues. PRAGMAs run on every new connection.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}


def database_from_url(url: str, *, conn_max_age: int = 0) -> dict[str, object]:
    """One place that turns DATABASE_URL into Django's settings, SQLite's options included."""
    database: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = dict(SQLITE_OPTIONS)
    elif database["ENGINE"] == "django.db.backends.postgresql":
        # A server that does not answer fails the request (and /readyz) in seconds, not minutes.
        database.setdefault("OPTIONS", {})
        options = database["OPTIONS"]
        assert isinstance(options, dict)
        options.setdefault("connect_timeout", 5)
    return database


DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'daiban.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organizations.User"
# django-axes first: it refuses a locked-out account or address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The password policy (daiban/accounts/validators.py): length, three of four character classes, not like the
# username, name, mobile number or e-mail, not common, not all digits, not one of the last five.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "mobile", "email")},
    },
    {"NAME": "daiban.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "daiban.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "daiban.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]
# Staff (anyone holding a role) must choose a new password this many days after setting one.
DAIBAN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("DAIBAN_PASSWORD_MAX_AGE_DAYS", "90"))
# Password-reset codes: how long one is valid, and how many may be asked for per account and per address.
DAIBAN_RESET_CODE_MINUTES = int(os.environ.get("DAIBAN_RESET_CODE_MINUTES", "10"))
# A walk-in enterprise's activation code (handed over at the window by SMS) lives longer than a reset code.
DAIBAN_ACTIVATION_CODE_HOURS = int(os.environ.get("DAIBAN_ACTIVATION_CODE_HOURS", "72"))
DAIBAN_RESET_CODES_PER_HOUR = int(os.environ.get("DAIBAN_RESET_CODES_PER_HOUR", "3"))
DAIBAN_RESET_CODES_PER_ADDRESS_PER_HOUR = int(os.environ.get("DAIBAN_RESET_CODES_PER_ADDRESS_PER_HOUR", "10"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(
    os.environ.get("DAIBAN_STATIC_ROOT", BASE_DIR / "staticfiles")
)  # collectstatic writes here
MEDIA_ROOT = Path(os.environ.get("DAIBAN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"


def media_storage() -> dict[str, object]:
    """Where uploads go: local files under MEDIA_ROOT (one machine), or an S3-compatible object store shared
    by every app and worker machine when DAIBAN_S3_BUCKET is set (issue #18). Files are private: they are
    read only through the authorised download view, never by a public or pre-signed URL."""
    bucket = os.environ.get("DAIBAN_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("DAIBAN_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DAIBAN_S3_REGION") or None,
            "access_key": os.environ.get("DAIBAN_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("DAIBAN_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("DAIBAN_S3_PREFIX", ""),  # several sites can share one bucket
            "addressing_style": os.environ.get("DAIBAN_S3_ADDRESSING_STYLE", "path"),  # MinIO and most 政务云
            "default_acl": None,  # the bucket's own policy (private) applies
            "file_overwrite": False,  # never replace an existing object: names are unique anyway
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
# Session limits (等保: 登录连接超时自动退出): idle minutes for staff (anyone holding a role) and for
# the others, and an absolute lifetime from sign-in. A new sign-in of a staff account ends its older sessions.
DAIBAN_IDLE_MINUTES_STAFF = int(os.environ.get("DAIBAN_IDLE_MINUTES_STAFF", "30"))
DAIBAN_IDLE_MINUTES_OTHERS = int(os.environ.get("DAIBAN_IDLE_MINUTES_OTHERS", "120"))
DAIBAN_SESSION_HOURS = int(os.environ.get("DAIBAN_SESSION_HOURS", "12"))
SESSION_COOKIE_AGE = 60 * 60 * DAIBAN_SESSION_HOURS
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

# Logs: one line per record on stderr, carrying the request id (django-guid: the proxy's X-Request-ID when it
# sends a valid one, else a new one, returned in the response) so every line of one request can be found
# across several app servers. DAIBAN_LOG_FORMAT=json (the production default) writes each line as JSON for
# the county's log collector; "text" for people reading a terminal.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True}
DAIBAN_LOG_FORMAT = os.environ.get("DAIBAN_LOG_FORMAT", "text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
            "json_ensure_ascii": False,  # Chinese stays readable in the collector
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if DAIBAN_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DAIBAN_LOG_LEVEL", "INFO")},
    "loggers": {"django_guid": {"level": "WARNING"}},  # not a line per request about the header
}

# Who administers which jurisdictions in the Django admin (daiban.common.admin scopes every model by it).
DAIBAN_ADMINISTERED_JURISDICTIONS = "daiban.organizations.selectors.jurisdictions_administered_by"
# Working days left at or below which an item counts as due soon (临期). Overdue is past the deadline.
DAIBAN_DUE_SOON_WORKING_DAYS = int(os.environ.get("DAIBAN_DUE_SOON_WORKING_DAYS", "2"))
# The city-wide dashboard reads figures the job recomputes every 10 minutes; older than this, it counts live.
DAIBAN_CITY_FIGURES_MAX_AGE_MINUTES = int(os.environ.get("DAIBAN_CITY_FIGURES_MAX_AGE_MINUTES", "15"))

# Background jobs (deadline sweeps, reminders, notification delivery). Embedded default: a SQLite-backed
# queue and one consumer started by `make run`; with REDIS_URL, Redis-backed workers on any number of
# machines.
EMBEDDED_HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "daiban",
    # Its own file in WAL mode (huey's default), so the queue never locks the app's database.
    "filename": str(VAR_DIR / "jobs.sqlite3"),
    "timeout": 20,
    "immediate": False,
    "utc": False,
    "consumer": {"workers": 1, "worker_type": "thread"},
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("DAIBAN_QUEUE_NAME", "daiban"),  # several sites can share one Redis
        "url": REDIS_URL,
        "immediate": False,
        "utc": False,  # crontab in Asia/Shanghai: the sweep runs at 8:00 local time
        "consumer": {"workers": int(os.environ.get("DAIBAN_WORKERS", "4")), "worker_type": "thread"},
    }
else:
    HUEY = EMBEDDED_HUEY

# The cache holds what every app server must agree on: the API's replay-refused nonces and per-client rate
# counts (ADR 0020). With REDIS_URL (several app servers or gunicorn workers) it is Redis, shared by all;
# the embedded default is one development server process, where Django's in-process cache is that one.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DAIBAN_QUEUE_NAME", "daiban"),  # several sites can share one Redis
        }
    }

# Notification delivery: in-app always; e-mail over SMTP and SMS through a gateway adapter.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "15"))  # an SMTP server that hangs costs one attempt
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "daiban@localhost")
DAIBAN_SMS_GATEWAY = os.environ.get("DAIBAN_SMS_GATEWAY", "daiban.notifications.channels.ConsoleSmsGateway")
DAIBAN_SMS_URL = os.environ.get("DAIBAN_SMS_URL", "")
DAIBAN_SMS_TOKEN = os.environ.get("DAIBAN_SMS_TOKEN", "")
# One deadline for a whole exchange with the SMS gateway (connect, send, answer), not per read.
DAIBAN_SMS_DEADLINE_SECONDS = float(os.environ.get("DAIBAN_SMS_DEADLINE_SECONDS", "15"))
# A worker's claim on a message it is sending; a killed worker's message is sent again after this (ADR 0007).
DAIBAN_OUTBOX_LEASE_SECONDS = float(os.environ.get("DAIBAN_OUTBOX_LEASE_SECONDS", "300"))
# Outbound webhooks (ADR 0021): one deadline per delivery attempt; the jurisdiction's administrators are told
# once a subscriber has failed this many attempts in a row (once per failure streak).
DAIBAN_WEBHOOK_DEADLINE_SECONDS = float(os.environ.get("DAIBAN_WEBHOOK_DEADLINE_SECONDS", "10"))
DAIBAN_WEBHOOK_ALERT_AFTER = int(os.environ.get("DAIBAN_WEBHOOK_ALERT_AFTER", "5"))
# The provincial 好差评 system's bearer token (its URL is a subscription of that format in the admin).
DAIBAN_PROVINCIAL_RATING_TOKEN = os.environ.get("DAIBAN_PROVINCIAL_RATING_TOKEN", "")
# The 投资项目在线审批监管平台's project-code lookup (daiban/projects/registry.py); no URL: format check only.
DAIBAN_PROJECT_REGISTRY_URL = os.environ.get("DAIBAN_PROJECT_REGISTRY_URL", "")
DAIBAN_PROJECT_REGISTRY_TOKEN = os.environ.get("DAIBAN_PROJECT_REGISTRY_TOKEN", "")
DAIBAN_PROJECT_REGISTRY_TIMEOUT_SECONDS = float(
    os.environ.get("DAIBAN_PROJECT_REGISTRY_TIMEOUT_SECONDS", "5")
)
# Prometheus scrapes /metrics with `Authorization: Bearer <token>`; unset, /metrics answers 404.
DAIBAN_METRICS_TOKEN = os.environ.get("DAIBAN_METRICS_TOKEN", "")
# Escalate an overdue item to the supervisors once it is this many working days late.
DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER = int(os.environ.get("DAIBAN_ESCALATE_TO_SUPERVISOR_AFTER", "3"))
# Working days a unit has to rectify after a bad rating or a complaint.
# 一事一评: how long the rating link texted after an item's delivery stays valid, and the site's public
# address the link starts with (the SMS leaves the site, so the path alone is no use).
DAIBAN_RATING_LINK_DAYS = int(os.environ.get("DAIBAN_RATING_LINK_DAYS", "30"))
DAIBAN_SITE_URL = os.environ.get("DAIBAN_SITE_URL", "").rstrip("/")
DAIBAN_RECTIFICATION_WORKING_DAYS = int(os.environ.get("DAIBAN_RECTIFICATION_WORKING_DAYS", "10"))
# Working days after a quarter's end by which each unit submits its ledger.
DAIBAN_LEDGER_WORKING_DAYS = int(os.environ.get("DAIBAN_LEDGER_WORKING_DAYS", "5"))

# Sign-in throttling and lockout (等保 身份鉴别; django-axes, see docs/adr/ on identity). An account, and an
# address, is locked after DAIBAN_LOCKOUT_FAILURES failed sign-ins; a locked one stays locked, even with the
# right password, until a jurisdiction administrator unlocks it or, unless DAIBAN_LOCKOUT_MINUTES is 0, that
# long after its last failure. Failures older than that window stop counting.
AXES_FAILURE_LIMIT = int(os.environ.get("DAIBAN_LOCKOUT_FAILURES", "5"))
_LOCKOUT_MINUTES = int(os.environ.get("DAIBAN_LOCKOUT_MINUTES", "30"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=_LOCKOUT_MINUTES) if _LOCKOUT_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The same client address as the audit trail: behind the county's proxy, its header, not the proxy's address.
AXES_CLIENT_IP_CALLABLE = "daiban.common.middleware.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "daiban.accounts.views.locked_out"
# The unlock page is scoped to the administrator's jurisdiction; axes' own admin pages are not.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# The second factor (django-otp TOTP, recovery codes): the issuer authenticator apps show for the account.
OTP_TOTP_ISSUER = "帮代办服务平台"
