"""Fault injection on the registry's bulk import (issue 8, item 4), on the real PostgreSQL.

* The import's database connections are terminated (``pg_terminate_backend`` from a second, admin
  connection) while a large file is half imported; the job is then run again by a later worker and
  ends with exactly the counts, rows and bad-row report of a clean run: nothing reported done is
  lost, nothing is done twice.
* "Nothing half-visible" means, for this design, that a batch is all or nothing: its records, its
  bad-row report lines and the job's progress commit in one transaction. Another connection that
  watches an import run never sees records of a batch whose progress is not counted, or progress
  whose records or report lines are missing, and never a count that is not a whole number of batches.
* A malformed or oversized upload: refused with 413 past ``REGISTRY_IMPORT_MAX_BYTES`` (API and page)
  with nothing stored; under the limit it is streamed with bounded memory, its bad rows reported with
  line, column and reason, and the error cap stops the job with a clear message after whole batches.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from stdnum.cn import ric

from registry.choices import ImportStatus
from registry.imports import pipeline
from registry.imports.pipeline import import_process
from registry.imports.services import ImportTooLarge, import_create
from registry.models import Address, ImportJob, ImportRowError, Person
from stations.models import User
from tests import live

HEADER = [
    "national_id",
    "name",
    "gender",
    "birth_date",
    "phone",
    "address_code",
    "hukou_place",
    "inflow_origin",
]
ADDRESS = "T-FAULT-A1"


def nid(index: int) -> str:
    """A distinct valid national ID for each index below 9,000,000 (birth date x sequence number)."""
    born = dt.date(1990, 1, 1) + dt.timedelta(days=index // 900)
    body = f"620102{born:%Y%m%d}{index % 900 + 100:03d}"
    return body + ric.calc_check_digit(body + "0")


def wrong_checksum(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def person_rows(n: int, *, pad: int = 0) -> tuple[list[list[str]], dict[int, str]]:
    """``n`` rows; every 97th has a wrong check digit and every 101st repeats the ID of the row 5,000
    lines earlier (a repeat across batches). Returns the rows and the expected bad lines → column.
    ``pad`` Chinese characters fill two text columns (bigger rows, same validation)."""
    rows: list[list[str]] = []
    bad: dict[int, str] = {}
    filler = ("甘肃省兰州市城关区" * 30)[:pad]
    for i in range(n):
        line = i + 2  # the header is line 1
        number = nid(i)
        if i % 97 == 50:
            number = wrong_checksum(number)
            bad[line] = "national_id"
        elif i % 101 == 60 and i >= 5000 and (i - 5000) % 97 != 50 and line - 5000 not in bad:
            number = rows[i - 5000][0]
            bad[line] = "national_id"
        rows.append([number, f"人{i}", "", "", "13812345678", ADDRESS, filler, filler])
    return rows, bad


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(header)
    out.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def make_address(user: User) -> Address:
    station = user.home_station
    return Address.objects.create(
        code=ADDRESS, level="room", county=station.county, station=station, name="1", full_text="Fault 1"
    )


def snapshot(job_id: int) -> tuple[int, int, int, int, int, int]:
    """One consistent view from a connection of its own: the job's counts, its committed records and
    report lines, read in one REPEATABLE READ transaction."""
    import psycopg2

    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None, port=db.get("PORT") or None,
    )  # fmt: skip
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT rows_done, rows_ok, rows_bad FROM registry_importjob WHERE id = %s", [job_id]
            )
            done, ok, bad = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM registry_person WHERE import_job_id = %s", [job_id])
            persons = cursor.fetchone()[0]
            cursor.execute(
                "SELECT count(DISTINCT line), count(*) FROM registry_importrowerror WHERE job_id = %s",
                [job_id],
            )
            bad_lines, report_rows = cursor.fetchone()
        conn.rollback()
        return done, ok, bad, persons, bad_lines, report_rows
    finally:
        conn.close()


def assert_whole(view: tuple[int, int, int, int, int, int], *, batch: int, total: int) -> None:
    done, ok, bad, persons, bad_lines, _report_rows = view
    assert done % batch == 0 or done == total, f"progress {done} is not a whole number of batches"
    assert ok + bad == done
    assert persons == ok, f"{persons} records visible for {ok} counted: a batch is half visible"
    assert bad_lines == bad, f"{bad_lines} reported lines for {bad} counted"


def in_thread(target: Any) -> tuple[threading.Thread, dict[str, BaseException]]:
    """Run ``target`` on a thread with its own database connection (as a worker would)."""
    from django.db import connections

    failure: dict[str, BaseException] = {}

    def body() -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 — reported to the test
            failure["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, failure


# --- the database connection cut mid-import ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(REGISTRY_IMPORT_MAX_BAD_ROWS=10**6, LANGUAGE_CODE="en")
def test_connection_terminated_mid_import_then_rerun_reaches_the_exact_counts_of_a_clean_run(
    officer: User,
) -> None:
    batch = 500
    rows, expected_bad = person_rows(12_000)
    content = csv_bytes(rows)
    total = len(rows)
    make_address(officer)
    job = import_create(user=officer, kind="persons", upload=SimpleUploadedFile("big.csv", content))

    thread, failure = in_thread(lambda: import_process(job_id=job.pk, batch_size=batch))
    deadline = time.monotonic() + 300
    views = []
    while time.monotonic() < deadline:
        view = snapshot(job.pk)
        views.append(view)
        if view[0] >= 3 * batch:
            break
        time.sleep(0.02)
    assert 0 < views[-1][0] < total, f"not mid-way when cut: {views[-1][0]} of {total}"
    # Cut every connection of the import (its own and its writer thread's), from an admin connection.
    connection.ensure_connection()
    own = connection.connection.get_backend_pid()  # the test's own connection stays
    admin = live._admin_connection()
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND pid IS DISTINCT FROM %s",
                [connection.settings_dict["NAME"], own],
            )
            assert cursor.rowcount >= 1
    finally:
        admin.close()
    thread.join(timeout=120)
    assert not thread.is_alive()

    cut = snapshot(job.pk)
    assert 0 < cut[0] < total, f"the cut came too late: {cut[0]} of {total} done"
    for view in [*views, cut]:
        assert_whole(view, batch=batch, total=total)  # never a batch half visible, before or after the cut
    job.refresh_from_db()
    assert job.status in (ImportStatus.RUNNING, ImportStatus.FAILED), (job.status, job.error, failure)
    reported = {"done": job.rows_done, "ok": job.rows_ok, "bad": job.rows_bad}
    kept = set(Person.objects.filter(import_job=job).values_list("national_id", flat=True))
    assert len(kept) == job.rows_ok

    # A later worker takes it again (a running job once its heartbeat is stale; a failed one is resumed).
    if job.status == ImportStatus.FAILED:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    later = timezone.now() + pipeline.STALE_AFTER + dt.timedelta(seconds=1)
    assert import_process(job_id=job.pk, batch_size=batch, now=later)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    good = total - len(expected_bad)
    assert (job.rows_total, job.rows_done, job.rows_ok, job.rows_bad) == (
        total,
        total,
        good,
        len(expected_bad),
    )
    assert (
        job.rows_done >= reported["done"]
        and job.rows_ok >= reported["ok"]
        and job.rows_bad >= reported["bad"]
    )
    imported = list(Person.objects.filter(import_job=job).values_list("national_id", flat=True))
    assert len(imported) == len(set(imported)) == good  # nothing doubled
    assert kept <= set(imported)  # nothing reported done is lost
    report = list(ImportRowError.objects.filter(job=job).values_list("line", "column"))
    assert len(report) == len({line for line, _column in report}) == len(expected_bad)  # each bad line once
    assert dict(report) == expected_bad
    assert_whole(snapshot(job.pk), batch=batch, total=total)

    # A clean run of the same file gives the same counts and changes nothing.
    stamps = dict(Person.objects.filter(import_job=job).values_list("pk", "updated_at"))
    clean = import_create(user=officer, kind="persons", upload=SimpleUploadedFile("big.csv", content))
    assert import_process(job_id=clean.pk, batch_size=batch)
    clean.refresh_from_db()
    assert (clean.rows_done, clean.rows_ok, clean.rows_bad) == (job.rows_done, job.rows_ok, job.rows_bad)
    assert dict(ImportRowError.objects.filter(job=clean).values_list("line", "column")) == expected_bad
    assert dict(Person.objects.filter(pk__in=stamps).values_list("pk", "updated_at")) == stamps


# --- oversized, malformed uploads ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversized_malformed_upload_is_refused_with_413_by_api_and_page_and_nothing_is_stored(
    officer: User, api: Any, client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.REGISTRY_IMPORT_MAX_BYTES = 64 * 1024
    garbage = SimpleUploadedFile("junk.csv", b"\x00\xff" * (40 * 1024))  # 80 KiB, not even text

    response = api(officer).post(
        "/api/v1/registry/imports/", {"kind": "persons", "file": garbage}, format="multipart"
    )
    assert response.status_code == 413
    assert "file" in response.json()

    garbage.seek(0)
    client.force_login(officer)
    assert client.post("/registry/imports/", {"kind": "persons", "file": garbage}).status_code == 413

    # Past the view's Content-Length check (a chunked upload has none), the service refuses it too.
    garbage.seek(0)
    with pytest.raises(ImportTooLarge):
        import_create(user=officer, kind="persons", upload=garbage)
    assert not ImportJob.objects.filter(created_by=officer).exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no upload kept


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_a_malformed_file_reports_each_bad_row_with_line_column_and_reason(officer: User) -> None:
    make_address(officer)
    good = [nid(1), "张三", "M", "1990-01-01", "13812345678", ADDRESS, "", ""]
    text = csv_bytes(
        [
            good,  # line 2
            [nid(2), "李四"],  # 3: short row, no address code
            [wrong_checksum(nid(3)), "王五", "", "", "", ADDRESS, "", ""],  # 4
            [nid(4), "赵六", "", "1990-02-30", "", ADDRESS, "", ""],  # 5: no such date
            [nid(5), "钱" * 60, "", "", "", ADDRESS, "", ""],  # 6: name too long
            [nid(6), "孙八", "X", "", "12345", ADDRESS, "", "", "extra", "cells"],  # 7: bad gender and phone
            [nid(7), "周九", "", "", "", "NO-SUCH-CODE", "", ""],  # 8
            ["not an id", "吴十", "", "", "", ADDRESS, "", ""],  # 9
        ]
    )
    job = import_create(user=officer, kind="persons", upload=SimpleUploadedFile("m.csv", text))
    assert import_process(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == ImportStatus.DONE, job.error
    assert (job.rows_done, job.rows_ok, job.rows_bad) == (8, 1, 7)
    report: dict[int, dict[str, str]] = {}
    for line, column, reason in ImportRowError.objects.filter(job=job).values_list(
        "line", "column", "reason"
    ):
        assert reason.strip(), (line, column)
        report.setdefault(line, {})[column] = reason
    assert set(report) == {3, 4, 5, 6, 7, 8, 9}
    assert "address_code" in report[3]
    assert "national_id" in report[4]
    assert "birth_date" in report[5]
    assert "name" in report[6]
    assert {"gender", "phone"} <= set(report[7])
    assert "address_code" in report[8]
    assert "national_id" in report[9]
    assert list(Person.objects.filter(import_job=job).values_list("national_id", flat=True)) == [nid(1)]


@pytest.mark.django_db
def test_a_file_that_is_not_text_fails_the_job_with_a_reason_and_writes_nothing(officer: User) -> None:
    make_address(officer)
    upload = SimpleUploadedFile("x.csv", b"national_id,name,address_code\n" + bytes(range(128, 256)) * 64)
    job = import_create(user=officer, kind="persons", upload=upload)
    assert import_process(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error
    assert not Person.objects.filter(import_job=job).exists()


@pytest.mark.django_db
@override_settings(REGISTRY_IMPORT_MAX_BAD_ROWS=50, LANGUAGE_CODE="en")
def test_the_error_cap_stops_the_job_after_whole_batches_with_a_clear_message(officer: User) -> None:
    make_address(officer)
    rows = [[nid(i), f"人{i}", "", "", "13812345678", ADDRESS, "", ""] for i in range(2000)]
    for i in range(300, 2000, 7):  # from line 302 on, one row in seven is bad: ~243 bad rows in the file
        rows[i][0] = wrong_checksum(rows[i][0])
    job = import_create(user=officer, kind="persons", upload=SimpleUploadedFile("c.csv", csv_bytes(rows)))
    assert import_process(job_id=job.pk, batch_size=100)
    job.refresh_from_db()

    assert job.status == ImportStatus.FAILED
    assert "more than 50 bad rows" in job.error
    assert 50 < job.rows_bad < 50 + 100  # stopped at the first batch past the cap
    assert job.rows_done < len(rows) and job.rows_done % 100 == 0  # whole batches only
    assert Person.objects.filter(import_job=job).count() == job.rows_ok
    assert ImportRowError.objects.filter(job=job).values("line").distinct().count() == job.rows_bad


@pytest.mark.django_db
@override_settings(REGISTRY_IMPORT_MAX_BAD_ROWS=10**6, REGISTRY_IMPORT_MAX_BYTES=64 * 1024 * 1024)
def test_a_large_upload_is_streamed_with_bounded_memory(officer: User) -> None:
    """The pipeline holds one batch, never the file: the Python heap's peak (tracemalloc) while a
    ~16 MB file is imported in batches of 500 rows stays under 4 MB, a quarter of the file."""
    make_address(officer)
    small_rows, _bad = person_rows(300, pad=200)
    import_process(
        job_id=import_create(
            user=officer, kind="persons", upload=SimpleUploadedFile("warm.csv", csv_bytes(small_rows))
        ).pk
    )  # warm-up: modules, caches of the validators, the translation catalogue

    rows, expected_bad = person_rows(14_000, pad=200)
    content = csv_bytes(rows)
    assert len(content) > 16 * 1024 * 1024
    job = import_create(user=officer, kind="persons", upload=SimpleUploadedFile("big.csv", content))
    del content, rows
    bound = 4 * 1024 * 1024

    tracemalloc.start()
    try:
        assert import_process(job_id=job.pk, batch_size=500)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    assert (job.rows_done, job.rows_bad) == (14_000, len(expected_bad))
    assert peak < bound, f"peak {peak / 1e6:.1f} MB while importing a {job.file.size / 1e6:.1f} MB file"
