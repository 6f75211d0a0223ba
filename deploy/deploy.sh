#!/usr/bin/env bash
# Deploy a release on one machine: ./deploy/deploy.sh RELEASE_DIR (web|worker) [--migrate]
#
# RELEASE_DIR is an unpacked release (git checkout) next to /opt/daiban/current. Run it with --migrate on
# exactly ONE machine first (Django's migrate must not run on two machines at once), then without it on the
# others. Migrations are written to be compatible with the previous release's code (add, then use, then
# drop in a later release), so old and new app servers can serve side by side during the roll.
set -euo pipefail

release=${1:?usage: deploy.sh RELEASE_DIR web|worker [--migrate]}
role=${2:?usage: deploy.sh RELEASE_DIR web|worker [--migrate]}
migrate=${3:-}
env_file=${DAIBAN_ENV_FILE:-/etc/daiban/daiban.env}
current=${DAIBAN_CURRENT:-/opt/daiban/current}

case "$role" in web|worker) ;; *) echo "role must be web or worker" >&2; exit 2 ;; esac

set -a
# shellcheck source=/dev/null
. "$env_file"
set +a

cd "$release"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt  # pinned versions
.venv/bin/python manage.py check --deploy --fail-level WARNING
if [ "$migrate" = "--migrate" ]; then
  .venv/bin/python manage.py migrate --noinput
  .venv/bin/python manage.py createcachetable  # the cache table when REDIS_URL is unset (no-op otherwise)
else
  # Refuse to start new code on a database that has not been migrated yet.
  .venv/bin/python manage.py migrate --check >/dev/null \
    || { echo "unapplied migrations: deploy one machine with --migrate first" >&2; exit 1; }
fi
.venv/bin/python manage.py collectstatic --noinput >/dev/null

ln -sfn "$release" "$current.new" && mv -T "$current.new" "$current"
if [ "$role" = web ]; then
  # nginx sends requests to the other app machines while this one restarts (roll one machine at a time).
  systemctl restart daiban-web.service
  for _ in $(seq 30); do
    if curl -fsS "http://127.0.0.1:${DAIBAN_BIND##*:}/readyz" >/dev/null; then echo "ready"; exit 0; fi
    sleep 1
  done
  echo "not ready after 30 s: see journalctl -u daiban-web" >&2
  exit 1
else
  systemctl restart daiban-worker.service
fi
