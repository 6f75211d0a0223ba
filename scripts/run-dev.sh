#!/usr/bin/env bash
# `make run`: the web server and, beside it, the job consumer (embedded SQLite queue unless REDIS_URL is set).
set -euo pipefail
BIN="${BIN:-.venv/bin}"
mkdir -p var
"$BIN/python" manage.py run_huey >var/jobs.log 2>&1 &
JOBS=$!
trap 'kill "$JOBS" 2>/dev/null || true' EXIT INT TERM
echo "Jobs consumer running (log: var/jobs.log)"
"$BIN/python" manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
