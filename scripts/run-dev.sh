#!/usr/bin/env bash
# `make run`: the web server and, beside it, the job consumer (embedded SQLite queue unless REDIS_URL is set).
set -euo pipefail
BIN="${BIN:-.venv/bin}"
mkdir -p var
# Both beside the server at a lower priority, so the first page does not wait on their start-up.
nice -n 10 "$BIN/python" manage.py run_huey >var/jobs.log 2>&1 &
JOBS=$!
echo "Jobs consumer running (log: var/jobs.log)"
# The demo's year of history (hundreds of requests in every state) is made beside the server, each step
# committed as it goes, so the first page does not wait for it; once made, later runs skip it.
nice -n 10 "$BIN/python" manage.py load_demo --history-only --skip-checks >var/demo-history.log 2>&1 &
HISTORY=$!
trap 'kill "$JOBS" "$HISTORY" 2>/dev/null || true' EXIT INT TERM
echo "Demo history loading in the background, about a minute the first time (log: var/demo-history.log)"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# Another program on the port (an earlier `make run`, another project): take the next free one and say which,
# rather than failing after the set-up or announcing an address that is not ours.
FREE=$("$BIN/python" scripts/free_port.py "$HOST" "$PORT")
if [ "$FREE" != "$PORT" ]; then echo "Port $PORT is in use; serving on $FREE instead."; fi
echo "Open http://$HOST:$FREE/ (demo accounts: see README)"
"$BIN/python" manage.py runserver "$HOST:$FREE"
