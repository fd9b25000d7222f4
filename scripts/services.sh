#!/usr/bin/env bash
# Private PostgreSQL and Redis under var/, for `make run` and `make test`.
#
#   scripts/services.sh start   start what is not configured elsewhere (installing Debian packages as root)
#   scripts/services.sh stop    stop the private servers
#   scripts/services.sh env     print the DATABASE_URL / REDIS_URL exports in use
#
# DATABASE_URL or REDIS_URL in the environment point the portal at existing servers; then the
# matching private server is neither installed nor started.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR="$ROOT/var"
PG_PORT=${PORTAL_PG_PORT:-54329}
REDIS_PORT=${PORTAL_REDIS_PORT:-63799}
PG_USER_OS=${PORTAL_PG_OS_USER:-portalpg}
PG_DIR="$VAR/pg"
REDIS_DIR="$VAR/redis"
LOG_DIR="$VAR/log"

say() { printf '[services] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
    if ! is_root; then
        say "missing $* and not root: install it (apt-get install $*) or set DATABASE_URL/REDIS_URL"
        exit 1
    fi
    say "installing Debian packages: $*"
    "$ROOT/scripts/ensure-debian.sh" "$@"
}

pg_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
}

as_pg() {
    if is_root; then runuser -u "$PG_USER_OS" -- "$@"; else "$@"; fi
}

start_postgres() {
    local bindir
    bindir=$(pg_bindir)
    if [ -z "$bindir" ]; then apt_install postgresql postgresql-contrib; bindir=$(pg_bindir); fi
    # Another checkout's private server already on the port (as with Redis below): use it.
    if [ ! -s "$PG_DIR/data/postmaster.pid" ] && PGPASSWORD=portal "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" \
            -U portal -d postgres -tAc "select 1" >/dev/null 2>&1; then
        say "using the PostgreSQL already listening on 127.0.0.1:$PG_PORT"
        ensure_portal_db "$bindir/psql"
        return 0
    fi
    mkdir -p "$LOG_DIR"
    if is_root; then
        id -u "$PG_USER_OS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER_OS"
        # PostgreSQL refuses to run as root; its data must sit where the unprivileged user can reach.
        mkdir -p "$PG_DIR"
        chown "$PG_USER_OS" "$PG_DIR"
        if ! runuser -u "$PG_USER_OS" -- test -w "$PG_DIR" 2>/dev/null; then
            local alt="/var/tmp/portal-pg-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
            say "$PG_DIR is not reachable by $PG_USER_OS; keeping the cluster in $alt"
            mkdir -p "$alt"; chown "$PG_USER_OS" "$alt"; rmdir "$PG_DIR" 2>/dev/null || true
            [ -L "$PG_DIR" ] || ln -sfn "$alt" "$PG_DIR"
        fi
    fi
    mkdir -p "$PG_DIR"
    local data="$PG_DIR/data"
    if [ ! -s "$data/PG_VERSION" ]; then
        say "initialising the private PostgreSQL cluster in $data"
        local pwfile="$PG_DIR/pwfile"
        printf 'portal\n' > "$pwfile"
        is_root && chown "$PG_USER_OS" "$pwfile"
        as_pg "$bindir/initdb" -D "$data" -U portal --pwfile="$pwfile" --auth=scram-sha-256 \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        rm -f "$pwfile"
        cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 200
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 512MB
synchronous_commit = off
max_wal_size = 4GB
CONF
    fi
    if ! as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        local log="$PG_DIR/postgres.log"
        as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
    fi
    ensure_portal_db "$bindir/psql"
}

ensure_portal_db() {
    local psql=$1
    [ -x "$psql" ] || psql=psql
    if ! PGPASSWORD=portal "$psql" -h 127.0.0.1 -p "$PG_PORT" -U portal -d postgres -tAc \
            "select 1 from pg_database where datname='portal'" | grep -q 1; then
        PGPASSWORD=portal "$psql" -h 127.0.0.1 -p "$PG_PORT" -U portal -d postgres -qc "create database portal"
    fi
}

stop_postgres() {
    local bindir
    bindir=$(pg_bindir)
    [ -n "$bindir" ] && [ -s "$PG_DIR/data/PG_VERSION" ] || return 0
    if as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        say "stopping PostgreSQL"
        as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
    fi
}

start_redis() {
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p "$REDIS_DIR" "$LOG_DIR"
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then return 0; fi
    say "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --daemonize yes \
        --pidfile "$REDIS_DIR/redis.pid" --logfile "$LOG_DIR/redis.log" --save "" --appendonly no >/dev/null
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    say "Redis did not answer; see $LOG_DIR/redis.log"; exit 1
}

stop_redis() {
    command -v redis-cli >/dev/null || return 0
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        say "stopping Redis"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
}

print_env() {
    echo "export DATABASE_URL=${DATABASE_URL:-postgres://portal:portal@127.0.0.1:$PG_PORT/portal}"
    echo "export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}"
}

case "${1:-}" in
    start)
        [ -n "${DATABASE_URL:-}" ] && say "using DATABASE_URL from the environment" || start_postgres
        [ -n "${REDIS_URL:-}" ] && say "using REDIS_URL from the environment" || start_redis
        ;;
    stop)
        [ -n "${DATABASE_URL:-}" ] || stop_postgres
        [ -n "${REDIS_URL:-}" ] || stop_redis
        ;;
    env) print_env ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
