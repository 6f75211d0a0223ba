# daiban: two commands set everything up. `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
REQS := requirements.txt requirements-dev.txt
STAMP := $(VENV)/.installed-$(shell cat $(REQS) | sha256sum | cut -c1-16)
# `make run` needs only the runtime half; the full install above satisfies it too.
RUN_STAMP := $(VENV)/.runtime-$(shell cat requirements.txt | sha256sum | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test check fmt messages clean venv

venv: $(STAMP)

$(STAMP): $(REQS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* $(VENV)/.runtime-*
	@touch $@ $(RUN_STAMP)

# --no-compile: pip would byte-compile every module of every package (half of a fresh install's time);
# Python compiles the ones the server imports on first use instead.
$(RUN_STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	@rm -f $(VENV)/.runtime-*
	@touch $@

# The system checks run once, in runserver; migrations and the demo in one process before it (each Django
# start-up costs a second or two).
run: $(RUN_STAMP)
	$(BIN)/python manage.py load_demo --migrate --no-history --skip-checks
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) bash scripts/run-dev.sh

# Production server: config.settings.prod (DJANGO_SECRET_KEY and DATABASE_URL required), migrations and
# static files first, then gunicorn with DAIBAN_WEB_WORKERS workers (config/gunicorn.conf.py).
serve: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.prod $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.prod $(BIN)/python manage.py createcachetable
	DJANGO_SETTINGS_MODULE=config.settings.prod $(BIN)/python manage.py collectstatic --noinput -v 0
	DJANGO_SETTINGS_MODULE=config.settings.prod DAIBAN_BIND=$(HOST):$(PORT) \
		$(BIN)/gunicorn --config config/gunicorn.conf.py

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check
	@bash scripts/ensure-chromium.sh || true
	$(BIN)/pytest

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the catalogue of translatable strings and compile them (needs GNU gettext).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete --no-location -i ".venv/*" -i "bench/*"
	$(BIN)/python manage.py compilemessages --locale zh_Hans -i ".venv"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var/
