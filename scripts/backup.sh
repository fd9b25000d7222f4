#!/usr/bin/env bash
# Back up and restore the portal's PostgreSQL database (DATABASE_URL), for `make backup` / `make restore`.
#
#   scripts/backup.sh backup [FILE]   pg_dump -Fc into FILE (default: $BACKUP_DIR/<UTC timestamp>.dump,
#                                     BACKUP_DIR defaulting to var/backups); prints the file's path
#   scripts/backup.sh restore FILE    pg_restore FILE into the DATABASE_URL database, in one transaction:
#                                     the objects the dump holds are dropped and recreated, and on any
#                                     error nothing is changed. Stop the web server, worker and beat first.
#
# Without DATABASE_URL in the environment the private server of scripts/services.sh is used. The
# client binaries are the newest PostgreSQL installed (as scripts/services.sh finds them), so they are
# never older than the server. The password travels in PGPASSWORD, never on a command line.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '[backup] %s\n' "$*" >&2; }
usage() { echo "usage: $0 backup [FILE] | restore FILE" >&2; exit 2; }

pg_bin() {
    local name=$1 d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/$name" ] && { echo "$d/$name"; return; }
    done
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/$name" ]; then
        echo "$(pg_config --bindir)/$name"; return
    fi
    command -v "$name" || { say "$name not found: install the PostgreSQL client (apt-get install postgresql-client)"; exit 1; }
}

# DATABASE_URL → the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (and sslmode).
connect_env() {
    if [ -z "${DATABASE_URL:-}" ]; then eval "$("$ROOT/scripts/services.sh" env)"; fi
    local py="$ROOT/.venv/bin/python"
    [ -x "$py" ] || py=python3
    eval "$(DATABASE_URL="$DATABASE_URL" "$py" - <<'PY'
import os, shlex
from urllib.parse import parse_qs, unquote, urlsplit

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme not in ("postgres", "postgresql", "pgsql"):
    raise SystemExit(f"DATABASE_URL is not a PostgreSQL URL (scheme {url.scheme!r})")
values = {
    "PGHOST": unquote(url.hostname or ""),
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""),
    "PGDATABASE": unquote(url.path.lstrip("/")),
    "PGSSLMODE": parse_qs(url.query).get("sslmode", [""])[0],
}
if not values["PGDATABASE"]:
    raise SystemExit("DATABASE_URL names no database")
for key, value in values.items():
    if value:
        print(f"export {key}={shlex.quote(value)}")
PY
)"
}

backup() {
    local file=${1:-}
    if [ -z "$file" ]; then
        local dir=${BACKUP_DIR:-$ROOT/var/backups}
        mkdir -p "$dir"
        file="$dir/$(date -u +%Y%m%dT%H%M%SZ).dump"
    fi
    [ -e "$file" ] && { say "$file exists; not overwriting it"; exit 1; }
    connect_env
    say "dumping database $PGDATABASE on ${PGHOST:-local}:${PGPORT:-5432} into $file"
    # Written under a temporary name and renamed when complete: a file named *.dump is a whole dump.
    "$(pg_bin pg_dump)" --format=custom --no-password --file="$file.partial" "$PGDATABASE"
    mv "$file.partial" "$file"
    echo "$file"
}

restore() {
    local file=${1:-}
    [ -n "$file" ] || usage
    [ -s "$file" ] || { say "no such backup (or empty): $file"; exit 1; }
    connect_env
    say "restoring $file into database $PGDATABASE on ${PGHOST:-local}:${PGPORT:-5432}"
    "$(pg_bin pg_restore)" --clean --if-exists --no-owner --single-transaction --exit-on-error \
        --no-password --dbname="$PGDATABASE" "$file"
    say "restored; run 'manage.py migrate' if the code is newer than the backup"
}

case "${1:-}" in
    backup) backup "${2:-}" ;;
    restore) restore "${2:-}" ;;
    *) usage ;;
esac
