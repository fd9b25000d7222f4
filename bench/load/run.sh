#!/usr/bin/env bash
# The load scenario (issue 8, item 6; docs/performance.md, "Load"): start the real stack (scripts/run.sh:
# gunicorn, Celery worker and beat) on a demo database of its own, run bench/load/locustfile.py headless
# on loopback for a set time, print requests/s and p50/p99 per kind of request and the failures.
# Exits non-zero if any request failed. `make load` runs it.
#
#   LOAD_DB       database on the DATABASE_URL server (default portal_load; created, migrated and given
#                 the demo at SCALE once, then reused)
#   SCALE         demo scale when the database is new (default small)
#   LOAD_TIME     how long locust runs (default 3m)          LOAD_PORT  where the stack listens (8765)
#   LOAD_OFFICERS / LOAD_ANALYSTS / LOAD_CLIENTS   simulated users of each kind (24 / 6 / 2)
#   LOAD_THINK    multiplies every think time (default 1)    LOAD_REDIS_DB  broker database (default 9)
#   LOAD_SPAWN_RATE  users started a second (default 0.5: sign-ins spread over the first minute, as at the
#                 start of a shift; every sign-in costs a deliberately slow password hash)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY="$ROOT/.venv/bin"
export DJANGO_SETTINGS_MODULE=portal.settings PYTHONUNBUFFERED=1
: "${DATABASE_URL:=postgres://portal:portal@127.0.0.1:54329/portal}"
: "${REDIS_URL:=redis://127.0.0.1:63799/0}"
LOAD_DB=${LOAD_DB:-portal_load}
SCALE=${SCALE:-small}
LOAD_TIME=${LOAD_TIME:-3m}
LOAD_PORT=${LOAD_PORT:-8765}
export LOAD_OFFICERS=${LOAD_OFFICERS:-24} LOAD_ANALYSTS=${LOAD_ANALYSTS:-6} LOAD_CLIENTS=${LOAD_CLIENTS:-2}
USERS=$((LOAD_OFFICERS + LOAD_ANALYSTS + LOAD_CLIENTS))
OUT="$ROOT/var/load"
mkdir -p "$OUT"

# The stack's own database, broker database and cache keys: nothing shared with `make run` or the tests.
with_path() { "$PY/python" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$1" "$2"; }
export DATABASE_URL=$(with_path "$DATABASE_URL" "$LOAD_DB")
export CELERY_BROKER_URL=$(with_path "$REDIS_URL" "${LOAD_REDIS_DB:-9}")
export CELERY_RESULT_BACKEND=$CELERY_BROKER_URL
export CACHE_KEY_PREFIX=${CACHE_KEY_PREFIX:-load}-stack
export TWO_FACTOR_REQUIRED=0  # the demo province runs without two-factor (its login page says so)

"$PY/python" - "$LOAD_DB" <<'PY'
import os, sys
import dj_database_url, psycopg2
from psycopg2 import sql
db = dj_database_url.parse(os.environ["DATABASE_URL"])
conn = psycopg2.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"])
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[1]])
    if not cursor.fetchone():
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(sys.argv[1])))
        print(f"created database {sys.argv[1]}")
PY
"$PY/python" manage.py migrate --noinput -v 0
"$PY/python" manage.py load_demo --scale "$SCALE" --if-empty
LOAD_ACCOUNTS=$("$PY/python" manage.py shell -v 0 -c "
import json, os
from bench.load.accounts import ensure_accounts
print(json.dumps(ensure_accounts(officers=$LOAD_OFFICERS, analysts=$LOAD_ANALYSTS, clients=$LOAD_CLIENTS,
                                 password=os.environ.get('DEMO_PASSWORD', 'portal-demo'))))" | tail -n 1)
export LOAD_ACCOUNTS

stack=""
stop_stack() {
    if [ -n "$stack" ] && kill -0 "$stack" 2>/dev/null; then
        kill -TERM "$stack" 2>/dev/null || true  # run.sh stops gunicorn, the worker and beat
        wait "$stack" 2>/dev/null || true
    fi
}
trap stop_stack EXIT INT TERM
HOST=127.0.0.1 PORT=$LOAD_PORT scripts/run.sh >"$OUT/stack.log" 2>&1 &
stack=$!
for _ in $(seq 120); do
    "$PY/python" -c 'import sys, urllib.request as r; r.urlopen(sys.argv[1], timeout=2)' \
        "http://127.0.0.1:$LOAD_PORT/accounts/login/" 2>/dev/null && break
    kill -0 "$stack" 2>/dev/null || { echo "the stack did not start:"; tail -n 40 "$OUT/stack.log"; exit 1; }
    sleep 1
done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "running $USERS users ($LOAD_OFFICERS officers, $LOAD_ANALYSTS analysts, $LOAD_CLIENTS sync clients) for $LOAD_TIME on $LOAD_DB"
rc=0
"$PY/locust" -f bench/load/locustfile.py --headless --host "http://127.0.0.1:$LOAD_PORT" \
    -u "$USERS" -r "${LOAD_SPAWN_RATE:-0.5}" -t "$LOAD_TIME" --stop-timeout 15 \
    --csv "$OUT/locust" --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1 || rc=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY/python" bench/load/report.py "$OUT/locust" || rc=1
[ "$rc" -eq 0 ] || { echo "FAILED (locust exit $rc; see $OUT/locust.log)"; tail -n 20 "$OUT/locust.log"; }
exit "$rc"
