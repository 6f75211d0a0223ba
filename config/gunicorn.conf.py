"""Gunicorn for `make serve` and the app machines: workers from the environment, logs to stdout/stderr for
the service manager, and worker recycling so a slow leak never takes a server down."""

import multiprocessing
import os

bind = os.environ.get("DAIBAN_BIND", "127.0.0.1:8000")
# Sync workers: the pages are short database-bound requests; 2 × cores + 1 is gunicorn's own advice.
workers = int(os.environ.get("DAIBAN_WEB_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
timeout = int(os.environ.get("DAIBAN_WEB_TIMEOUT", "60"))  # an Excel export of a city's quarter fits
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("DAIBAN_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
