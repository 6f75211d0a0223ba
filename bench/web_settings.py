"""Production settings plus the floor view, for timing pages through gunicorn (bench/pages.py)."""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
