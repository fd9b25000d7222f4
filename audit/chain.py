"""The hash chain over the audit tables: sealing (asynchronous, in key order) and verification.

Nothing here runs when a row is written: imports write hundreds of thousands of event rows and must
not queue behind a chain. A periodic task (:func:`audit.services.audit_seal_pending`) seals what was
committed since its last run, table by table in key order, in *seal* links of at most
:data:`SEAL_BATCH` rows. A link holds the keys of its rows and a MAC of each row (HMAC-SHA256 of the
table, the key and the row as canonical JSON, with the columns the table had when sealed, so a column
added later does not break old links); the link's own ``mac`` chains it to the link before, across
all tables. The key (:func:`chain_key`) is ``AUDIT_CHAIN_KEY`` or derived from ``SECRET_KEY``; it is
never in the database, so whoever can write the database cannot re-forge a row or the chain.

Rows committed out of key order. A sequence hands out ids when a row is inserted, not when it commits,
so a long transaction can commit id 100 after id 105 is visible. Sealing past 100 early would later
make row 100 look slipped in. Each run therefore records a :class:`~audit.models.Watermark` (the
highest id of each table, read *before* the watermark's time) and seals only up to the newest
watermark older than the start of every transaction still open in the database: any id at or below
it was handed out before that time, by a transaction that has since ended, so every row at or below
it that will ever commit is visible now. A transaction open for hours delays sealing (never inserts);
rows above the watermark wait for the next run. pghistory's Context (keyed by UUID) is sealed in
``(created_at, id)`` order once older than ``CONTEXT_OPEN_HOURS``, when its trigger has frozen it.

:func:`verify` recomputes every link and every sealed row and names the table and key of any row
altered, deleted (not by the purge, whose links record what it removed) or slipped into a sealed
range, and any link of the chain itself altered, removed or forged. What it cannot see: rows newer
than the last seal (not sealed yet), and the newest links removed all together (keep the last
``mac`` printed by ``audit_verify`` elsewhere to anchor the head).
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import Seal, SealKind, Watermark
from audit.protection import CONTEXT_OPEN_HOURS
from audit.tables import AuditTable, audit_tables, chain_table

SEAL_BATCH = 5000
ROW_MAC_BYTES = 16
LOCK_ID = 7_311_001  # pg_advisory_xact_lock: one sealer or purger at a time

Position = Any  # int for id-ordered tables, (datetime, str) for the Context table


def chain_key() -> bytes:
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"portal.audit.chain.v1", hashlib.sha256).digest()


# --- positions and row selection ------------------------------------------------------------------------


def encode_position(spec: AuditTable, position: Position) -> str:
    if spec.by_time:
        at, key = position
        return f"{at.isoformat()}|{key}"
    return str(position)


def decode_position(spec: AuditTable, text: str) -> Position:
    if spec.by_time:
        at, key = text.split("|", 1)
        return (datetime.fromisoformat(at), key)
    return int(text)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _row_json_sql(columns: list[str]) -> str:
    """The row as jsonb (whose text form is canonical), in chunks: jsonb_build_object takes ≤ 100 args."""
    parts = []
    for start in range(0, len(columns), 40):
        chunk = columns[start : start + 40]
        parts.append("jsonb_build_object(" + ", ".join(f"'{c}', t.{_q(c)}" for c in chunk) + ")")
    return "(" + " || ".join(parts or ["'{}'::jsonb"]) + ")::text"


def _range_sql(spec: AuditTable, after: Position | None, upto: Position | None) -> tuple[str, list[Any]]:
    conditions, params = [], []
    if spec.by_time:
        pair = f"(t.{_q(spec.time)}, t.{_q(spec.key)})"
        if after is not None:
            conditions.append(f"{pair} > (%s, %s::uuid)")
            params += [after[0], after[1]]
        if upto is not None:
            conditions.append(f"{pair} <= (%s, %s::uuid)")
            params += [upto[0], upto[1]]
    else:
        if after is not None:
            conditions.append(f"t.{_q(spec.key)} > %s")
            params.append(after)
        if upto is not None:
            conditions.append(f"t.{_q(spec.key)} <= %s")
            params.append(upto)
    return (" AND ".join(conditions) or "TRUE"), params


def _order_sql(spec: AuditTable) -> str:
    return f"t.{_q(spec.time)}, t.{_q(spec.key)}" if spec.by_time else f"t.{_q(spec.key)}"


def fetch_rows(
    spec: AuditTable,
    columns: list[str],
    *,
    after: Position | None,
    upto: Position | None = None,
    before_time: datetime | None = None,
    limit: int | None = None,
) -> list[tuple[str, Position, bytes]]:
    """(key, position, row MAC) of the rows in ``(after, upto]``, in key order."""
    where, params = _range_sql(spec, after, upto)
    if before_time is not None:
        where += f" AND t.{_q(spec.time)} < %s"
        params.append(before_time)
    # The rows are chosen (and limited) first, then turned into JSON: a plan that sorts would otherwise
    # build the JSON of every row in the range before the LIMIT.
    inner = f"SELECT * FROM {_q(spec.table)} t WHERE {where} ORDER BY {_order_sql(spec)}"
    if limit is not None:
        inner += f" LIMIT {int(limit)}"
    sql = (
        f"SELECT t.{_q(spec.key)}::text, t.{_q(spec.time)}, {_row_json_sql(columns)} "
        f"FROM ({inner}) t ORDER BY {_order_sql(spec)}"
    )
    key = chain_key()
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row_key, at, body in cursor.fetchall():
            position = (at, row_key) if spec.by_time else int(row_key)
            rows.append((row_key, position, row_mac(key, spec.table, row_key, body)))
    return rows


def row_mac(key: bytes, table: str, row_key: str, body: str) -> bytes:
    message = f"{table}\x1f{row_key}\x1f{body}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:ROW_MAC_BYTES]


def link_mac(key: bytes, previous: str, seal: Seal) -> str:
    content = json.dumps(
        [
            seal.kind,
            seal.table,
            seal.last_key,
            list(seal.row_keys),
            bytes(seal.row_macs).hex(),
            list(seal.columns),
            seal.covers,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hmac.new(key, f"{previous}\n{content}".encode(), hashlib.sha256).hexdigest()


# --- writing links -------------------------------------------------------------------------------------


def lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def append_link(**fields: Any) -> Seal:
    """Add one link at the head of the chain (the caller holds :func:`lock`)."""
    previous = Seal.objects.order_by("-id").values_list("mac", flat=True).first() or ""
    seal = Seal(**fields)
    seal.mac = link_mac(chain_key(), previous, seal)
    seal.save()
    return seal


def last_sealed(spec: AuditTable) -> Position | None:
    text = (
        Seal.objects.filter(table=spec.table, kind=SealKind.SEAL)
        .order_by("-id")
        .values_list("last_key", flat=True)
        .first()
    )
    return None if text is None else decode_position(spec, text)


def _max_keys(specs: list[AuditTable]) -> dict[str, int]:
    positions: dict[str, int] = {}
    with connection.cursor() as cursor:
        for spec in specs:
            cursor.execute(f"SELECT max({_q(spec.key)}) FROM {_q(spec.table)}")
            value = cursor.fetchone()[0]
            if value is not None:
                positions[spec.table] = int(value)
    return positions


def _oldest_open_transaction() -> datetime:
    """When the oldest transaction still open in this database (other than ours) began; now if none."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the activity view is cached per transaction
        cursor.execute(
            "SELECT coalesce(min(xact_start), clock_timestamp()) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def seal_pending(*, now: datetime | None = None, batch: int = SEAL_BATCH) -> dict[str, int]:
    """Seal every settled row not sealed yet; returns {table: rows sealed}. Safe to run twice, or
    concurrently (the second waits for the first's lock and finds nothing more to seal)."""
    now = now or timezone.now()
    sealed: dict[str, int] = {}
    with transaction.atomic():
        lock()
        specs = audit_tables()
        id_specs = [spec for spec in specs if not spec.by_time]
        positions = _max_keys(id_specs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")  # after the maxima were read
            at = cursor.fetchone()[0]
        Watermark.objects.create(at=at, positions=positions)
        oldest_open = _oldest_open_transaction()
        usable = Watermark.objects.filter(at__lt=oldest_open).order_by("-at").first()
        if usable is not None:
            Watermark.objects.filter(at__lt=usable.at).delete()
        for spec in specs:
            columns = spec.columns()
            after = last_sealed(spec)
            if spec.by_time:
                upto, before_time = None, min(oldest_open, now - timedelta(hours=CONTEXT_OPEN_HOURS))
            else:
                bound = usable.positions.get(spec.table) if usable is not None else None
                if bound is None or (after is not None and bound <= after):
                    continue
                upto, before_time = bound, None
            while True:
                rows = fetch_rows(spec, columns, after=after, upto=upto, before_time=before_time, limit=batch)
                if not rows:
                    break
                last = rows[-1][1] if (spec.by_time or len(rows) == batch) else upto
                append_link(
                    kind=SealKind.SEAL,
                    table=spec.table,
                    last_key=encode_position(spec, last),
                    row_keys=[row[0] for row in rows],
                    row_macs=b"".join(row[2] for row in rows),
                    columns=columns,
                )
                sealed[spec.table] = sealed.get(spec.table, 0) + len(rows)
                after = last
                if len(rows) < batch:
                    break
    return sealed


# --- verification --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    table: str
    key: str
    what: str

    def __str__(self) -> str:
        return f"{self.table} row {self.key}: {self.what}"


@dataclass
class Report:
    problems: list[Problem]
    links: int = 0
    rows: int = 0
    head: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _links() -> Iterator[Seal]:
    last_id = 0
    while True:
        chunk = list(Seal.objects.filter(id__gt=last_id).order_by("id")[:500])
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id


def verify() -> Report:
    """Check every link of the chain and every sealed row (reads only; bounded memory)."""
    key = chain_key()
    specs = {spec.table: spec for spec in audit_tables()}
    with_purges = set(Seal.objects.filter(kind=SealKind.PURGE).values_list("covers", flat=True).distinct())
    report = Report(problems=[])
    previous = ""
    after: dict[str, Position] = {}
    chain = chain_table()
    for seal in _links():
        report.links += 1
        if link_mac(key, previous, seal) != seal.mac:
            report.problems.append(
                Problem(chain, str(seal.id), "link altered or forged, or the link before it removed")
            )
        previous = seal.mac
        if seal.kind != SealKind.SEAL:
            continue
        spec = specs.get(seal.table)
        if spec is None:
            report.problems.append(
                Problem(seal.table, "*", f"sealed by link {seal.id} but no longer an audit table")
            )
            continue
        upto = decode_position(spec, seal.last_key)
        macs = bytes(seal.row_macs)
        expected = {k: macs[i * ROW_MAC_BYTES : (i + 1) * ROW_MAC_BYTES] for i, k in enumerate(seal.row_keys)}
        purged: set[str] = set()
        if seal.id in with_purges:
            for keys in Seal.objects.filter(kind=SealKind.PURGE, covers=seal.id).values_list(
                "row_keys", flat=True
            ):
                purged.update(keys)
        try:
            rows = fetch_rows(spec, list(seal.columns), after=after.get(seal.table), upto=upto)
        except Exception as error:  # a sealed column dropped, the table gone
            report.problems.append(
                Problem(seal.table, "*", f"cannot be read as sealed by link {seal.id}: {error}")
            )
            after[seal.table] = upto
            continue
        after[seal.table] = upto
        report.rows += len(rows)
        for row_key, _position, mac in rows:
            want = expected.pop(row_key, None)
            if want is None or row_key in purged:
                report.problems.append(Problem(seal.table, row_key, "inserted into a sealed range"))
            elif not hmac.compare_digest(want, mac):
                report.problems.append(Problem(seal.table, row_key, "altered"))
        for row_key in expected:
            if row_key not in purged:
                report.problems.append(Problem(seal.table, row_key, "deleted"))
    report.head = previous
    return report


def purge_links_for(spec: AuditTable, deleted: list[tuple[str, Position]]) -> int:
    """Record, one purge link per seal, the keys the purge removed (the caller holds :func:`lock`)."""
    if not deleted:
        return 0
    seals = list(
        Seal.objects.filter(table=spec.table, kind=SealKind.SEAL).order_by("id").values_list("id", "last_key")
    )
    bounds = [decode_position(spec, text) for _, text in seals]
    by_seal: dict[int, list[str]] = {}
    for row_key, position in deleted:
        index = bisect.bisect_left(bounds, position)
        by_seal.setdefault(seals[index][0], []).append(row_key)
    for seal_id, keys in sorted(by_seal.items()):
        append_link(
            kind=SealKind.PURGE,
            table=spec.table,
            last_key="",
            row_keys=sorted(keys, key=_natural),
            covers=seal_id,
        )
    return len(by_seal)


def _natural(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (0, key)
