"""The production settings pass Django's deployment checklist with no warning (HSTS, HTTPS redirect, secure
cookies, …): run as a county would, in a fresh process with only the environment it must provide."""

import functools
import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_passes_with_production_settings():
    # The browser journeys allow sync ORM calls in their event loop for this process; a server never does.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x7Q!f9#kLm2" * 4,
        "DATABASE_URL": "postgresql://daiban@127.0.0.1:5432/daiban",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DATABASE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.prod"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_media_goes_to_the_object_store_only_when_a_bucket_is_configured(monkeypatch):
    from config.settings.base import media_storage

    for name in ("DAIBAN_S3_BUCKET", "DAIBAN_S3_ENDPOINT_URL", "DAIBAN_S3_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    monkeypatch.setenv("DAIBAN_S3_BUCKET", "daiban-media")
    monkeypatch.setenv("DAIBAN_S3_ENDPOINT_URL", "https://oss.example.gov.cn")
    monkeypatch.setenv("DAIBAN_S3_PREFIX", "500242")
    storage = media_storage()
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert isinstance(options, dict)
    assert (options["bucket_name"], options["endpoint_url"], options["location"]) == (
        "daiban-media",
        "https://oss.example.gov.cn",
        "500242",
    )
    assert options["file_overwrite"] is False and options["default_acl"] is None


def test_production_logs_json_lines_unless_told_otherwise():
    env = {
        **{
            k: v for k, v in os.environ.items() if k not in {"DAIBAN_LOG_FORMAT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x7Q!f9#kLm2" * 4,
        "DATABASE_URL": "postgresql://daiban@127.0.0.1:5432/daiban",
    }
    script = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    run = functools.partial(
        subprocess.run,
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert run(env=env).stdout.strip() == "json"
    assert run(env={**env, "DAIBAN_LOG_FORMAT": "text"}).stdout.strip() == "text"
