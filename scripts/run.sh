#!/usr/bin/env bash
# Serve the portal with a Celery worker and Celery beat; Ctrl-C stops all three.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY="$ROOT/.venv/bin"
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/log var/run
# /metrics adds up the counters every gunicorn process writes here (prometheus-client multiprocess
# mode); emptied at each start, as the processes that wrote the old files are gone.
METRICS_DIR="$ROOT/var/run/prometheus"
rm -rf "$METRICS_DIR" && mkdir -p "$METRICS_DIR"

pids=()
cleanup() {
    trap - INT TERM EXIT
    echo; echo "stopping the web server, worker and beat"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

"$PY/celery" -A portal worker --loglevel=INFO --concurrency=2 --logfile=var/log/worker.log &
pids+=($!)
"$PY/celery" -A portal beat --loglevel=INFO --schedule=var/run/celerybeat-schedule --pidfile= --logfile=var/log/beat.log &
pids+=($!)

cat <<TXT

  Police-station portal: http://$HOST:$PORT/
  API docs:              http://$HOST:$PORT/api/v1/docs/
  Demo logins (password: ${DEMO_PASSWORD:-portal-demo}):
    province_admin  city_staff  county_staff  station_head  officer  officer_b  auditor  api_client
  Metrics: http://$HOST:$PORT/metrics (from this machine only)
  Logs: var/log/   Stop: Ctrl-C (then 'make stop' stops PostgreSQL and Redis)

TXT
PROMETHEUS_MULTIPROC_DIR="$METRICS_DIR" "$PY/gunicorn" portal.wsgi:application --bind "$HOST:$PORT" --workers 3 --timeout 120 \
    --access-logfile var/log/access.log --error-logfile - \
    --access-logformat '%(h)s %(u)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms' &  # no query strings: searches carry IDs
pids+=($!)
wait -n "${pids[@]}"
