"""The bulk-import pipeline: stream the file, validate each row, COPY good rows into a staging table,
upsert them by natural key, and commit each batch together with the job's progress.

Guarantees:

* **Nothing reported as done is lost.** A batch's rows, its bad-row report lines and the job's
  ``rows_done``/``rows_ok``/``rows_bad`` are written in one transaction. A worker killed mid-batch
  loses that batch only, and it was never reported.
* **Resume / rerun.** The job restarts at row ``rows_done + 1`` and ends with exactly the counts of a
  run without the crash (duplicates inside the file are still recognised across the restart: the
  keys of the good rows already done are reloaded from the file into the session's ``import_seen``).
* **Idempotent.** Upserts are ``INSERT … ON CONFLICT (key) DO UPDATE … WHERE`` the row differs, so the
  same file imported twice changes nothing — no ``updated_at`` bump, no audit noise.
* **One worker per job.** The job is claimed with a conditional UPDATE (``queued`` → ``running``, or
  a ``running`` job whose heartbeat is stale, i.e. whose worker died).
* **Jurisdiction.** A row's station is its standard address's station, which must be in the
  importer's jurisdiction; a record that already exists elsewhere is not moved. Either is a bad row.

The per-record audit triggers and the sync-clock trigger are skipped for these upserts by their
``WHEN`` condition on ``registry.bulk`` (``registry.models.base``), set for the upsert statement
only: the job is the audit record, every row it wrote points to it (``import_job``), and the upsert
sets ``updated_at = clock_timestamp()`` itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from psycopg2.extras import execute_values

from registry.choices import ImportStatus
from registry.imports.readers import UnreadableFile, count_data_rows, read_rows
from registry.imports.schema import (
    _COPY_ESCAPES,
    SCHEMAS,
    ColumnsMissing,
    KindSchema,
    RowPreparer,
    copy_text,
    resolve_header,
)
from registry.validation import Problem

log = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=5)
_ABSENT = object()


def batch_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_BATCH_ROWS", 10_000))


def max_bad_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_BAD_ROWS", 10_000))


class TooManyBadRows(Exception):
    pass


# --- claiming --------------------------------------------------------------------------------------


def import_claim(*, job_id: int, now: dt.datetime) -> bool:
    """Take the job for this worker: queued, or running with a stale heartbeat (its worker died).
    True when this call won it; two workers can never both win."""
    from registry.models import ImportJob

    claimable = Q(status=ImportStatus.QUEUED) | Q(
        status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    won = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportStatus.RUNNING, heartbeat_at=now, error=""
    )
    if won:
        ImportJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return bool(won)


# --- SQL ---------------------------------------------------------------------------------------------


def _stage_table(schema: KindSchema) -> str:
    return f"import_stage_{schema.kind}"


def _stage_ddl(schema: KindSchema) -> str:
    columns = ["line integer NOT NULL"] + [f'"{c.name}" {c.sql_type}' for c in schema.columns]
    columns += [
        "pinyin text",
        "address_id bigint",
        "station_id bigint",
        "county_id bigint",
        "beat_id bigint",
        "err_column text",
        "err text",
    ]
    return f"CREATE TEMP TABLE IF NOT EXISTS {_stage_table(schema)} ({', '.join(columns)})"


SEEN_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS import_seen (job_id bigint NOT NULL, key text NOT NULL, line integer NOT NULL, "
    "PRIMARY KEY (job_id, key))"
)


def _model(schema: KindSchema) -> type[models.Model]:
    from django.apps import apps

    return {
        "persons": apps.get_model("registry", "Person"),
        "houses": apps.get_model("registry", "House"),
        "units": apps.get_model("registry", "Unit"),
        "addresses": apps.get_model("registry", "Address"),
    }[schema.kind]


_EXTRAS: dict[str, dict[str, str]] = {
    # target column → staging expression, for the columns a row gets from its look-ups
    "persons": {"address_id": "s.address_id", "station_id": "s.station_id"},
    "houses": {"address_id": "s.address_id", "station_id": "s.station_id"},
    "units": {"address_id": "s.address_id", "station_id": "s.station_id"},
    "addresses": {
        "station_id": "s.station_id",
        "county_id": "s.county_id",
        "beat_id": "s.beat_id",
        "pinyin": "coalesce(s.pinyin, '')",
    },
}


def upsert_sql(schema: KindSchema, present: set[str], *, job_id: int) -> str:
    """``INSERT … SELECT FROM staging … ON CONFLICT DO UPDATE … WHERE`` something differs.

    It sets ``updated_at = clock_timestamp()`` itself, row by row, as the sync-clock trigger would:
    it runs with ``BULK_SETTING`` on, which skips that trigger and the per-row audit triggers."""
    model = _model(schema)
    by_target = {c.target: c for c in schema.columns if c.target}
    extras = _EXTRAS[schema.kind]
    insert_cols: list[str] = []
    select_exprs: list[str] = []
    update_cols: list[str] = []
    for field in model._meta.concrete_fields:
        column = field.column
        if field.primary_key:
            continue
        spec = by_target.get(column)
        if spec is not None:
            if spec.name in present:
                value = f's."{spec.name}"'
                if spec.sql_type == "text":
                    value = (
                        f"coalesce(nullif({value}, ''), {spec.default})"
                        if spec.default != "''"
                        else f"coalesce({value}, '')"
                    )
                elif spec.default not in ("NULL", None):
                    value = f"coalesce({value}, {spec.default})"
                update_cols.append(column)
            else:
                value = spec.default or "NULL"
        elif column in extras:
            value = extras[column]
            update_cols.append(column)
        elif column == "created_at":
            value = "now()"
        elif column == "updated_at":
            # What the sync-clock trigger sets; the trigger is skipped for this statement (BULK_SETTING).
            value = "clock_timestamp()"
        elif column == "deleted":
            value = "false"
            update_cols.append(column)
        elif column == "import_job_id":
            value = str(int(job_id))
        elif field.null:
            value = "NULL"
        elif isinstance(field, models.BooleanField):
            value = "true" if field.get_default() else "false"
        elif isinstance(field, models.JSONField):
            value = "'{}'::jsonb"
        elif isinstance(field, models.CharField | models.TextField):
            value = repr(str(field.get_default() or "")).replace('"', "'")
        else:
            raise AssertionError(f"import cannot fill {model.__name__}.{field.name}")
        insert_cols.append(column)
        select_exprs.append(value)
    quoted = ", ".join(f'"{c}"' for c in insert_cols)
    sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update_cols)
    old = ", ".join(f't."{c}"' for c in update_cols)
    new = ", ".join(f'EXCLUDED."{c}"' for c in update_cols)
    return (
        f"INSERT INTO {schema.table} AS t ({quoted}) SELECT {', '.join(select_exprs)} "
        f"FROM {_stage_table(schema)} s WHERE s.err IS NULL ORDER BY s.line "
        f'ON CONFLICT ("{schema.conflict}") DO UPDATE SET {sets}, "updated_at" = clock_timestamp(), '
        f'"import_job_id" = EXCLUDED."import_job_id" WHERE ({old}) IS DISTINCT FROM ({new})'
    )


def _key_expr(schema: KindSchema) -> str:
    return "s.address_id::text" if schema.kind == "houses" else f's."{schema.key}"'


def _resolve_sql(schema: KindSchema) -> list[str]:
    """Statements that fill an address row's look-ups (beat, parent) and mark the rows that fail
    them. The other kinds resolve their standard address inside ``_checks_sql``'s one statement."""
    stage = _stage_table(schema)
    if schema.kind != "addresses":
        return []
    return [
        f"UPDATE {stage} s SET beat_id = b.id, station_id = b.station_id FROM beats_beat b "
        f"WHERE s.beat_code <> '' AND b.code = s.beat_code AND b.station_id = ANY(%(allowed)s)",
        f"UPDATE {stage} s SET err_column = 'beat_code', err = %(no_beat)s "
        f"WHERE s.beat_code <> '' AND s.beat_id IS NULL",
        f"UPDATE {stage} s SET station_id = p.station_id FROM registry_address p "
        f"WHERE s.err IS NULL AND s.station_id IS NULL AND s.parent_code <> '' AND p.code = s.parent_code "
        f"AND NOT p.deleted AND p.station_id = ANY(%(allowed)s)",
        f"UPDATE {stage} s SET err_column = 'parent_code', err = %(no_parent)s "
        f"WHERE s.err IS NULL AND s.station_id IS NULL",
        f"UPDATE {stage} s SET county_id = st.county_id FROM stations_station st WHERE st.id = s.station_id",
    ]


def _checks_sql(schema: KindSchema) -> list[str]:
    """One ``UPDATE`` of the staged batch that resolves each row's standard address (persons, houses,
    units) and marks, first failure wins, in this order:

    1. an unknown address code, or one outside the importer's jurisdiction;
    2. a record that already exists in another jurisdiction (an import does not take it over);
    3. the same key on a good row of an earlier batch of this file (``import_seen``);
    4. the same key on an earlier good row of this batch.

    Then the good rows' keys are added to ``import_seen``. (These were five statements, each
    rewriting or re-joining the whole batch; the result is the same.)"""
    stage = _stage_table(schema)
    if schema.kind == "addresses":
        lookup = ""
        address_id, station_id = "s.address_id", "s.station_id"
        prior_column, prior_err = "s.err_column", "s.err"
    else:
        lookup = (
            "LEFT JOIN registry_address a ON a.code = s.address_code AND NOT a.deleted "
            "AND a.station_id = ANY(%(allowed)s)"
        )
        address_id, station_id = "a.id", "a.station_id"
        prior_column = "CASE WHEN a.id IS NULL THEN 'address_code' END"
        prior_err = "CASE WHEN a.id IS NULL THEN %(no_address)s END"
    if schema.kind == "houses":  # houses are keyed by the address id the code resolves to
        key, existing = "a.id::text", "t.address_id = a.id"
    else:
        key, existing = f's."{schema.key}"', f't."{schema.conflict}" = s."{schema.key}"'
    return [
        f"UPDATE {stage} s SET address_id = r.address_id, station_id = r.station_id, "
        f"err_column = r.err_column, err = r.err FROM ("
        # 4. the first good line of each key in this batch
        f"SELECT q.line, q.address_id, q.station_id, "
        f"CASE WHEN q.err IS NULL AND q.first < q.line THEN %(key_column)s ELSE q.err_column END AS err_column, "
        f"CASE WHEN q.err IS NULL AND q.first < q.line THEN replace(%(repeat)s, '__LINE__', q.first::text) "
        f"ELSE q.err END AS err "
        f"FROM (SELECT p.*, min(p.line) FILTER (WHERE p.err IS NULL) OVER (PARTITION BY p.key) AS first FROM ("
        # 1.-3.
        f"SELECT s.line, {address_id} AS address_id, {station_id} AS station_id, {key} AS key, "
        f"CASE WHEN {prior_err} IS NOT NULL THEN {prior_column} "
        f"WHEN t.id IS NOT NULL OR d.line IS NOT NULL THEN %(key_column)s END AS err_column, "
        f"CASE WHEN {prior_err} IS NOT NULL THEN {prior_err} WHEN t.id IS NOT NULL THEN %(elsewhere)s "
        f"WHEN d.line IS NOT NULL THEN replace(%(repeat)s, '__LINE__', d.line::text) END AS err "
        f"FROM {stage} s {lookup} "
        f"LEFT JOIN {schema.table} t ON {existing} AND NOT t.station_id = ANY(%(allowed)s) "
        f"LEFT JOIN import_seen d ON d.job_id = %(job)s AND d.key = {key}"
        f") p) q) r WHERE r.line = s.line",
        f"INSERT INTO import_seen (job_id, key, line) SELECT %(job)s, {_key_expr(schema)}, s.line FROM {stage} s "
        f"WHERE s.err IS NULL",
    ]


# --- the run -------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    ok: int
    bad: int


class Batch:
    """Rows of one batch: the staged good rows as COPY text, and the problems of the bad ones."""

    def __init__(self, columns: list[tuple[str, str]]) -> None:
        self.columns = columns  # (name, COPY text when the file lacks the column)
        self.lines: list[str] = []
        self.rows = 0
        self.problems: list[tuple[int, str, str]] = []
        self.bad_lines = 0

    def add_good(self, line: int, staged: dict[str, str | None], pinyin: str | None) -> None:
        # One COPY text line; copy_text inlined (this runs for every good row of a file).
        get = staged.get
        fields = [
            blank if (value := get(name, _ABSENT)) is _ABSENT else "\\N" if value is None else value.translate(_COPY_ESCAPES)
            for name, blank in self.columns
        ]
        fields.append(copy_text(pinyin))
        self.lines.append(f"{line}\t" + "\t".join(fields))
        self.rows += 1

    def copy_buffer(self) -> io.StringIO | None:
        """The good rows as one COPY text buffer (``None`` when the batch has none)."""
        if not self.lines:
            return None
        return io.StringIO("\n".join(self.lines) + "\n")

    def add_bad(self, line: int, problems: list[Problem]) -> None:
        self.problems.extend((line, p.field, p.reason[:300]) for p in problems)
        self.bad_lines += 1
        self.rows += 1


def _pinyin(text: str | None) -> str | None:
    if not text:
        return None
    from registry.matching import to_pinyin

    return to_pinyin(text)[:600]


class BatchWriter:
    def submit(self, work: Callable[[], None]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class InlineWriter(BatchWriter):
    def submit(self, work: Callable[[], None]) -> None:
        work()

    def close(self) -> None:
        pass


class ThreadWriter(BatchWriter):
    """Runs submitted work in order on one thread with its own database connection. At most two
    batches wait, so memory stays bounded; the first failure stops the work and is raised to the
    submitting thread (on its next ``submit`` or on ``close``)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="import-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        try:
            while (work := self.queue.get()) is not None:
                if self.failure is None:
                    try:
                        work()
                    except BaseException as exc:  # handed to the submitting thread
                        self.failure = exc
        finally:
            connection.close()

    def _raise(self) -> None:
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure

    def submit(self, work: Callable[[], None]) -> None:
        self._raise()
        self.queue.put(work)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self._raise()


class ImportRun:
    """One worker's run of one claimed job, from ``rows_done`` to the end of the file."""

    def __init__(self, job: Any, *, now: dt.datetime, batch_size: int | None = None) -> None:
        from stations.jurisdiction import visible_stations

        self.job = job
        self.schema = SCHEMAS[job.kind]
        self.now = now
        self.today = timezone.localdate(now)
        self.batch_size = batch_size or batch_rows()
        self.seen_rows = 0  # rows in this connection's import_seen (for when to ANALYZE it)
        self.seen_analyzed = 0
        self.allowed = list(visible_stations(job.created_by).values_list("pk", flat=True))
        self.names = [c.name for c in self.schema.columns]
        self.copy_columns = [(c.name, "" if c.sql_type == "text" else "\\N") for c in self.schema.columns]
        with override(getattr(job.created_by, "language", None) or settings.LANGUAGE_CODE):
            self.messages = {
                "no_address": _("Unknown standard address code, or outside your jurisdiction."),
                "no_beat": _("Unknown beat area code, or outside your jurisdiction."),
                "no_parent": _("Unknown parent address code, or outside your jurisdiction."),
                "elsewhere": _("This record belongs to a station outside your jurisdiction."),
                "repeat": _("Repeats line __LINE__ of this file."),
            }

    # -- helpers
    def _params(self) -> dict[str, Any]:
        return {
            "job": self.job.pk,
            "allowed": self.allowed,
            "now": self.now,
            "key_column": self.schema.key,
            **self.messages,
        }

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        with self.job.file.open("rb") as binary:
            yield from read_rows(binary, file_name=self.job.file_name)

    def run(self) -> None:
        from registry.models import ImportJob

        job = self.job
        if job.rows_total is None:
            with job.file.open("rb") as binary:
                estimate = count_data_rows(binary, file_name=job.file_name)
            ImportJob.objects.filter(pk=job.pk).update(rows_total=estimate)
        rows = self._rows()
        try:
            _line, header = next(rows)
        except StopIteration:
            header = []
        try:
            columns = resolve_header(self.schema, header)
        except ColumnsMissing as exc:
            raise UnreadableFile(
                _("Columns missing from the header: %(columns)s") % {"columns": ", ".join(exc.columns)}
            ) from exc
        prepare = RowPreparer(self.schema, columns, today=self.today)
        upsert = upsert_sql(self.schema, prepare.present, job_id=job.pk)
        # The database work of each batch runs in a writer thread (its own connection) while this
        # thread reads and validates the next batch: Python and PostgreSQL each keep a core busy.
        # Inside an enclosing transaction (tests) everything runs inline on this connection.
        writer: BatchWriter = InlineWriter() if connection.in_atomic_block else ThreadWriter()
        try:
            writer.submit(self._setup)
            if job.rows_done:
                keyed = self._keys_done(rows, prepare, job.rows_done)
                writer.submit(lambda: self._load_seen(keyed))
            batch = Batch(self.copy_columns)
            is_address = self.schema.kind == "addresses"
            for line, values in rows:
                staged, problems = prepare(values)
                if problems:
                    batch.add_bad(line, problems)
                else:
                    batch.add_good(line, staged, _pinyin(staged.get("full_text")) if is_address else None)
                if batch.rows >= self.batch_size:
                    writer.submit(functools.partial(self._commit, batch, upsert))
                    batch = Batch(self.copy_columns)
            if batch.rows:
                writer.submit(functools.partial(self._commit, batch, upsert))
            writer.submit(self._teardown)
        finally:
            writer.close()
        self._finish()

    def _setup(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_stage_ddl(self.schema))
            cursor.execute(SEEN_DDL)
            cursor.execute("DELETE FROM import_seen WHERE job_id = %s", [self.job.pk])

    def _teardown(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM import_seen WHERE job_id = %s", [self.job.pk])

    def _keys_done(
        self, rows: Iterator[tuple[int, list[str]]], prepare: RowPreparer, done: int
    ) -> list[tuple[int, str]]:
        """Skip the ``done`` rows already committed; return the keys of the good ones among them."""
        from registry.models import ImportRowError

        bad_lines = set(ImportRowError.objects.filter(job=self.job).values_list("line", flat=True))
        keyed: list[tuple[int, str]] = []
        key = "address_code" if self.schema.kind == "houses" else self.schema.key
        index, normalise = next((i, n) for i, column, n, _spelled in prepare.plan if column.name == key)
        skipped = 0
        for line, values in rows:
            skipped += 1
            if line not in bad_lines and index < len(values):
                value = values[index].strip()
                value = normalise(value) if normalise and value else value
                if value:
                    keyed.append((line, value))
            if skipped >= done:
                break
        return keyed

    def _load_seen(self, keyed: list[tuple[int, str]]) -> None:
        self.seen_rows += len(keyed)
        with connection.cursor() as cursor:
            if self.schema.kind == "houses":  # houses are keyed by the address id the code resolves to
                execute_values(
                    cursor.cursor,
                    f"INSERT INTO import_seen (job_id, key, line) SELECT {int(self.job.pk)}, a.id::text, min(v.line) "
                    "FROM (VALUES %s) AS v(line, code) JOIN registry_address a ON a.code = v.code "
                    "GROUP BY a.id ON CONFLICT DO NOTHING",
                    keyed,
                    page_size=10_000,
                )
            else:
                execute_values(
                    cursor.cursor,
                    "INSERT INTO import_seen (job_id, key, line) VALUES %s ON CONFLICT DO NOTHING",
                    [(self.job.pk, value, line) for line, value in keyed],
                    template="(%s, %s, %s)",
                    page_size=10_000,
                )

    def _commit(self, batch: Batch, upsert: str) -> None:
        from registry.models import ImportJob
        from registry.models.base import BULK_SETTING

        schema = self.schema
        stage = _stage_table(schema)
        params = self._params()
        with transaction.atomic(), connection.cursor() as cursor:
            sql_bad = 0
            buffer = batch.copy_buffer()
            if buffer is not None:
                cursor.execute(f"TRUNCATE {stage}")
                column_list = ", ".join(["line", *(f'"{n}"' for n in self.names), "pinyin"])
                cursor.cursor.copy_expert(f"COPY {stage} ({column_list}) FROM STDIN", buffer)
                # Temp tables get no autovacuum statistics: without them the look-up joins are planned
                # blind. The batch is small (ANALYZE reads all of it); import_seen only when it doubled.
                cursor.execute(f"ANALYZE {stage}")
                if self.seen_rows >= 2 * self.seen_analyzed + 1000:
                    cursor.execute("ANALYZE import_seen")
                    self.seen_analyzed = self.seen_rows
                for statement in (*_resolve_sql(schema), *_checks_sql(schema)):
                    cursor.execute(statement, params)
                self.seen_rows += max(cursor.rowcount, 0)  # the last statement fills import_seen
                cursor.execute(
                    'INSERT INTO registry_importrowerror (job_id, line, "column", reason) '
                    f"SELECT %(job)s, line, coalesce(err_column, ''), left(err, 300) FROM {stage} WHERE err IS NOT NULL",
                    params,
                )
                sql_bad = cursor.rowcount
                # Only around this statement: the address parent links below are ordinary audited writes.
                cursor.execute("SELECT set_config(%s, 'on', true)", [BULK_SETTING])
                cursor.execute(upsert)
                cursor.execute("SELECT set_config(%s, 'off', true)", [BULK_SETTING])
                if schema.kind == "addresses":
                    cursor.execute(
                        f"UPDATE registry_address t SET parent_id = p.id FROM {stage} s JOIN registry_address p "
                        f"ON p.code = s.parent_code WHERE s.err IS NULL AND s.parent_code <> '' AND t.code = s.code "
                        f"AND t.parent_id IS DISTINCT FROM p.id",
                    )
            if batch.problems:
                execute_values(
                    cursor.cursor,
                    'INSERT INTO registry_importrowerror (job_id, line, "column", reason) VALUES %s',
                    [(self.job.pk, line, column, reason) for line, column, reason in batch.problems],
                    page_size=5000,
                )
            bad = batch.bad_lines + sql_bad
            ImportJob.objects.filter(pk=self.job.pk).update(
                rows_done=models.F("rows_done") + batch.rows,
                rows_ok=models.F("rows_ok") + (batch.rows - bad),
                rows_bad=models.F("rows_bad") + bad,
                heartbeat_at=timezone.now(),
            )
        self.job.refresh_from_db(fields=["rows_done", "rows_ok", "rows_bad", "status"])
        if self.job.rows_bad > max_bad_rows():
            raise TooManyBadRows(self.job.rows_bad)

    def _finish(self) -> None:
        from registry.models import ImportJob

        ImportJob.objects.filter(pk=self.job.pk).update(
            status=ImportStatus.DONE,
            finished_at=timezone.now(),
            rows_total=models.F("rows_done"),
            heartbeat_at=timezone.now(),
        )


def import_process(*, job_id: int, now: dt.datetime | None = None, batch_size: int | None = None) -> bool:
    """Claim and run an import job to its end. Returns False when another worker has it (or it is
    finished). A failure marks the job ``failed`` with the reason; what was committed stays, and the
    job can be resumed."""
    from registry.models import ImportJob

    now = now or timezone.now()
    if not import_claim(job_id=job_id, now=now):
        return False
    job = ImportJob.objects.select_related("created_by__home_station__county", "created_by__home_region").get(
        pk=job_id
    )
    language = getattr(job.created_by, "language", None) or settings.LANGUAGE_CODE
    try:
        with override(language):
            ImportRun(job, now=now, batch_size=batch_size).run()
    except TooManyBadRows:
        _fail(
            job_id,
            _("Stopped after more than %(cap)d bad rows: correct the file and import it again.")
            % {"cap": max_bad_rows()},
        )
    except UnreadableFile as exc:
        _fail(job_id, str(exc) or _("The file could not be read."))
    except Exception as exc:
        log.exception("import %s failed", job_id)
        _fail(job_id, _("The import failed: %(error)s") % {"error": str(exc)[:500]})
    return True


def _fail(job_id: int, message: str) -> None:
    from registry.models import ImportJob

    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, error=message, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )
