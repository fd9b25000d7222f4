"""The restore drill: ``scripts/backup.sh`` (behind ``make backup`` / ``make restore``) dumps the test
database, restores it into a scratch database, and the key tables come back row for row — counts,
an md5 of every row, and the id sequences (so new rows after a restore do not collide)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.sh"
# People, officers and disputes, the users, and the audit trail of officers (a pghistory event table).
KEY_TABLES = [
    "registry_person",
    "stations_officer",
    "disputes_dispute",
    "stations_user",
    "stations_officerevent",
]
# The sequence behind the table's id column (serial or identity).
OWNED_SEQUENCE = """
SELECT seq.relname FROM pg_class seq
JOIN pg_depend dep ON dep.objid = seq.oid AND dep.deptype IN ('a', 'i')
JOIN pg_class tab ON tab.oid = dep.refobjid
WHERE seq.relkind = 'S' AND tab.relname = %s
"""


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user, password = quote(str(db.get("USER") or ""), safe=""), quote(str(db.get("PASSWORD") or ""), safe="")
    return f"postgres://{user}:{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{quote(name, safe='')}"


def connect(name: str) -> Any:
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname=name,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def fingerprint(name: str) -> dict[str, Any]:
    """Per key table: row count, md5 of all rows (in a fixed order) and its id sequence's position."""
    conn = connect(name)
    try:
        with conn.cursor() as cursor:
            result: dict[str, Any] = {}
            for table in KEY_TABLES:
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
                    ).format(sql.Identifier(table))
                )
                count, digest = cursor.fetchone()
                cursor.execute(OWNED_SEQUENCE, [table])
                (sequence_name,) = cursor.fetchone()
                cursor.execute(
                    sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence_name))
                )
                sequence = cursor.fetchone()
                result[table] = (count, digest, sequence)
            return result
    finally:
        conn.close()


def run(*args: str, database: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DATABASE_URL": database_url(database), **env},
    )


def admin(statement: sql.Composable) -> None:
    conn = connect("postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def scratch_db(db: None) -> Iterator[str]:
    """An empty scratch database beside the test database, dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_drill"[:63]
    admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def dump(db: None, tmp_path: Path) -> Path:
    """A backup of the test database made as ``make backup`` makes it (into ``BACKUP_DIR``)."""
    source = str(settings.DATABASES["default"]["NAME"])
    done = run("backup", database=source, BACKUP_DIR=str(tmp_path))
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.parent == tmp_path
    assert re.fullmatch(r"\d{8}T\d{6}Z\.dump", path.name), path.name
    assert path.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert not list(tmp_path.glob("*.partial"))
    return path


def test_restore_drill_brings_back_every_row_and_sequence(dump: Path, scratch_db: str) -> None:
    source = str(settings.DATABASES["default"]["NAME"])
    before = fingerprint(source)
    assert all(count > 0 for count, _, _ in before.values()), before  # the drill has data to lose

    done = run("restore", str(dump), database=scratch_db)
    assert done.returncode == 0, done.stderr

    assert fingerprint(scratch_db) == before


def test_a_damaged_backup_changes_nothing(dump: Path, scratch_db: str, tmp_path: Path) -> None:
    assert run("restore", str(dump), database=scratch_db).returncode == 0
    restored = fingerprint(scratch_db)
    damaged = tmp_path / "damaged.dump"
    data = dump.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])

    done = run("restore", str(damaged), database=scratch_db)

    assert done.returncode != 0
    assert fingerprint(scratch_db) == restored  # one transaction: the drops were rolled back too


def test_restore_needs_an_existing_file_and_backup_never_overwrites(dump: Path, scratch_db: str) -> None:
    missing = run("restore", str(dump.with_name("nope.dump")), database=scratch_db)
    assert missing.returncode != 0
    assert "no such backup" in missing.stderr

    source = str(settings.DATABASES["default"]["NAME"])
    size = dump.stat().st_size
    again = run("backup", str(dump), database=source)
    assert again.returncode != 0
    assert dump.stat().st_size == size
