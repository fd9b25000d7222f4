"""Bulk import: mixed good and bad rows, idempotent reruns, XLSX, resume after a crash, jurisdiction,
the API (202, progress, report download, 413, 404 outside)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook
from stdnum.cn import ric

from registry.choices import ImportStatus
from registry.imports import pipeline
from registry.imports.pipeline import import_claim, import_process
from registry.imports.services import import_create
from registry.models import Address, ImportJob, ImportRowError, Person
from stations.models import User

pytestmark = pytest.mark.django_db

HEADER = ["national_id", "name", "gender", "birth_date", "phone", "address_code", "category"]


def nid(birth: str = "19900101", seq: int = 123, code: str = "620102") -> str:
    body = f"{code}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_address(user: User, code: str) -> Address:
    station = user.home_station
    return Address.objects.create(
        code=code, level="room", county=station.county, station=station, name=code, full_text=f"Test {code}"
    )


@pytest.fixture
def addresses(officer: User, officer_b: User) -> dict[str, Address]:
    return {
        "a1": make_address(officer, "T-IMPORT-A1"),
        "a2": make_address(officer, "T-IMPORT-A2"),
        "b1": make_address(officer_b, "T-IMPORT-B1"),
    }


GOOD_1 = [nid(seq=11), "张三", "M", "1990-01-01", "13812345678", "T-IMPORT-A1", "permanent"]
GOOD_2 = [nid("19851231", 22), "李四", "", "", "13912345678", "T-IMPORT-A2", "floating"]  # gender, birth from the ID
BAD_CHECKSUM = [nid(seq=33)[:-1] + ("0" if nid(seq=33)[-1] != "0" else "1"), "王五", "M", "", "", "T-IMPORT-A1", ""]
BAD_PHONE = [nid(seq=45), "赵六", "", "", "12345", "T-IMPORT-A1", ""]
NO_NAME = [nid(seq=55), "", "", "", "", "T-IMPORT-A1", ""]
OUTSIDE = [nid(seq=67), "钱七", "", "", "", "T-IMPORT-B1", ""]
UNKNOWN_ADDRESS = [nid(seq=77), "孙八", "", "", "", "NO-SUCH-CODE", ""]
REPEAT_OF_LINE_2 = [GOOD_1[0], "张三", "M", "1990-01-01", "13812345678", "T-IMPORT-A2", ""]
GOOD_3 = [nid("20000229", 89), "周九", "M", "2000-02-29", "", "T-IMPORT-A2", ""]

ROWS = [GOOD_1, GOOD_2, BAD_CHECKSUM, BAD_PHONE, NO_NAME, OUTSIDE, UNKNOWN_ADDRESS, REPEAT_OF_LINE_2, GOOD_3]
# line numbers: header is line 1, so ROWS[i] is line i + 2
EXPECTED_BAD = {
    4: "national_id",
    5: "phone",
    6: "name",
    7: "address_code",
    8: "address_code",
    9: "national_id",
}


def csv_file(rows: list[list[str]], header: list[str] = HEADER, name: str = "persons.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list[str]], header: list[str] = HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("persons.xlsx", buffer.getvalue())


def run(user: User, upload: SimpleUploadedFile, **kwargs: Any) -> ImportJob:
    job = import_create(user=user, kind="persons", upload=upload)
    assert import_process(job_id=job.pk, **kwargs)
    job.refresh_from_db()
    return job


def bad_columns(job: ImportJob) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for line, column in ImportRowError.objects.filter(job=job).values_list("line", "column"):
        found.setdefault(line, set()).add(column)
    return found


@override_settings(LANGUAGE_CODE="en")
def test_mixed_file_reports_exact_bad_lines_and_loads_the_good_rows(officer: User, addresses: dict[str, Address]) -> None:
    job = run(officer, csv_file(ROWS))

    assert job.status == ImportStatus.DONE, job.error
    assert (job.rows_total, job.rows_done, job.rows_ok, job.rows_bad) == (9, 9, 3, 6)
    found = bad_columns(job)
    assert set(found) == set(EXPECTED_BAD)
    for line, column in EXPECTED_BAD.items():
        assert column in found[line], (line, found[line])
    reasons = dict(ImportRowError.objects.filter(job=job).values_list("line", "reason"))
    assert "outside your jurisdiction" in reasons[7]
    assert "line 2" in reasons[9]

    persons = {p.national_id: p for p in Person.objects.filter(import_job=job)}
    assert set(persons) == {GOOD_1[0], GOOD_2[0], GOOD_3[0]}
    li = persons[GOOD_2[0]]
    assert (li.gender, li.birth_date, li.category) == ("F", dt.date(1985, 12, 31), "floating")  # 17th digit 2: even
    assert persons[GOOD_1[0]].address == addresses["a1"]  # the repeat on line 9 did not overwrite line 2
    assert {p.station_id for p in persons.values()} == {officer.home_station_id}
    assert len(persons[GOOD_1[0]].national_id) == 18  # stored in full (the char(n) pitfall)
    assert not Person.objects.filter(national_id=OUTSIDE[0]).exists()


def test_the_same_file_twice_changes_nothing(officer: User, addresses: dict[str, Address]) -> None:
    from registry.models import PersonEvent  # type: ignore[attr-defined]

    first = run(officer, csv_file(ROWS))
    before = {p.pk: (p.updated_at, p.import_job_id, p.name) for p in Person.objects.filter(import_job=first)}
    events = PersonEvent.objects.count()

    second = run(officer, csv_file(ROWS))

    assert (second.rows_ok, second.rows_bad, second.rows_done) == (first.rows_ok, first.rows_bad, first.rows_done)
    after = {p.pk: (p.updated_at, p.import_job_id, p.name) for p in Person.objects.filter(pk__in=before)}
    assert after == before  # no updated_at bump, rows still point to the job that wrote them
    assert not Person.objects.filter(import_job=second).exists()
    assert PersonEvent.objects.count() == events  # the bulk path writes no per-row audit events


def test_imported_rows_get_the_database_clock_and_every_other_writer_still_fires_the_triggers(
    officer: User, addresses: dict[str, Address]
) -> None:
    """The import's upsert sets ``updated_at = clock_timestamp()`` itself and skips the sync-clock and
    audit triggers by their WHEN condition (``registry.bulk``), for that statement only."""
    from django.db import connection

    from registry.models import PersonEvent  # type: ignore[attr-defined]

    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")  # the start of this (the test's) transaction
        started = cursor.fetchone()[0]
    job = run(officer, csv_file([GOOD_1, GOOD_2, GOOD_3]))
    stamps = [Person.objects.get(national_id=row[0]).updated_at for row in (GOOD_1, GOOD_2, GOOD_3)]
    assert started < stamps[0] < stamps[1] < stamps[2]  # the database's clock, row by row, in file order
    imported = list(Person.objects.filter(import_job=job).values_list("pk", flat=True))
    assert not PersonEvent.objects.filter(pgh_obj_id__in=imported).exists()  # audited per job, not per row

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('registry.bulk', true)")
        assert cursor.fetchone()[0] != "on"  # not left on for the rest of the transaction
    person = Person.objects.get(national_id=GOOD_1[0])
    Person.objects.filter(pk=person.pk).update(name="改名", updated_at=started)  # an app clock is overridden
    person.refresh_from_db()
    assert person.updated_at > stamps[2]
    assert PersonEvent.objects.filter(pgh_obj_id=person.pk, pgh_label="update", name="改名").exists()


def test_a_changed_row_is_updated_and_only_that_one(officer: User, addresses: dict[str, Address]) -> None:
    run(officer, csv_file([GOOD_1, GOOD_2]))
    untouched = Person.objects.get(national_id=GOOD_2[0]).updated_at
    changed = [*GOOD_1[:4], "13700000000", *GOOD_1[5:]]

    job = run(officer, csv_file([changed, GOOD_2]))

    one = Person.objects.get(national_id=GOOD_1[0])
    assert (one.phone, one.import_job_id) == ("13700000000", job.pk)
    assert Person.objects.get(national_id=GOOD_2[0]).updated_at == untouched


def test_xlsx_gives_the_same_result_as_csv(officer: User, addresses: dict[str, Address]) -> None:
    job = run(officer, xlsx_file(ROWS))

    assert job.status == ImportStatus.DONE, job.error
    assert (job.rows_done, job.rows_ok, job.rows_bad) == (9, 3, 6)
    assert set(bad_columns(job)) == set(EXPECTED_BAD)
    assert Person.objects.filter(import_job=job).count() == 3


def test_chinese_headers_and_gb18030_are_read(officer: User, addresses: dict[str, Address]) -> None:
    header = ["公民身份号码", "姓名", "性别", "联系电话", "地址编码"]
    text = ",".join(header) + "\n" + ",".join([GOOD_1[0], "张三", "男", "13812345678", "T-IMPORT-A1"]) + "\n"
    upload = SimpleUploadedFile("p.csv", text.encode("gb18030"))

    job = run(officer, upload)

    assert (job.status, job.rows_ok) == (ImportStatus.DONE, 1), job.error
    assert Person.objects.get(national_id=GOOD_1[0]).gender == "M"


def test_a_missing_required_column_fails_the_job_with_its_name(officer: User) -> None:
    job = run(officer, csv_file([["x"]], header=["name"]))

    assert job.status == ImportStatus.FAILED
    assert "national_id" in job.error and "address_code" in job.error


class WorkerKilled(BaseException):
    """Not an Exception: like a SIGKILL, nothing in the import catches it."""


def test_resume_after_a_crash_reaches_exactly_the_counts_of_a_clean_run(
    officer: User, addresses: dict[str, Address], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_commit = pipeline.ImportRun._commit
    calls = {"n": 0}

    def dying_commit(self: pipeline.ImportRun, batch: pipeline.Batch, upsert: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerKilled
        real_commit(self, batch, upsert)

    monkeypatch.setattr(pipeline.ImportRun, "_commit", dying_commit)
    job = import_create(user=officer, kind="persons", upload=csv_file(ROWS))
    with pytest.raises(WorkerKilled):
        import_process(job_id=job.pk, batch_size=2)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ImportStatus.RUNNING, 4)  # two batches committed, the third lost
    assert Person.objects.filter(import_job=job).count() == 2

    # Another worker cannot take it while the heartbeat is fresh; once it is stale, it can.
    assert not import_claim(job_id=job.pk, now=timezone.now())
    monkeypatch.setattr(pipeline.ImportRun, "_commit", real_commit)
    later = timezone.now() + pipeline.STALE_AFTER + dt.timedelta(seconds=1)
    assert import_process(job_id=job.pk, batch_size=2, now=later)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    assert (job.rows_done, job.rows_ok, job.rows_bad) == (9, 3, 6)
    assert set(bad_columns(job)) == set(EXPECTED_BAD)
    assert ImportRowError.objects.filter(job=job, line=9).count() == 1  # the repeat is still recognised
    assert Person.objects.filter(import_job=job).count() == 3


def test_a_job_is_claimed_once(officer: User, addresses: dict[str, Address]) -> None:
    job = import_create(user=officer, kind="persons", upload=csv_file([GOOD_1]))
    now = timezone.now()
    assert import_claim(job_id=job.pk, now=now)
    assert not import_claim(job_id=job.pk, now=now)


def test_a_record_of_another_jurisdiction_is_not_taken_over(
    officer: User, officer_b: User, addresses: dict[str, Address]
) -> None:
    run(officer_b, csv_file([[GOOD_3[0], "周九", "M", "2000-02-29", "", "T-IMPORT-B1", ""]]))
    job = run(officer, csv_file([GOOD_3]))

    assert (job.rows_ok, job.rows_bad) == (0, 1)
    assert Person.objects.get(national_id=GOOD_3[0]).station_id == officer_b.home_station_id


@override_settings(REGISTRY_IMPORT_MAX_BAD_ROWS=2)
def test_too_many_bad_rows_stop_the_job(officer: User, addresses: dict[str, Address]) -> None:
    job = run(officer, csv_file(ROWS), batch_size=3)

    assert job.status == ImportStatus.FAILED
    assert job.rows_bad > 2 and job.rows_done < 9


# --- API ------------------------------------------------------------------------------------------------


def test_api_create_answers_202_then_shows_progress_and_the_report(
    officer: User, addresses: dict[str, Address], api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api(officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/api/v1/registry/imports/", {"kind": "persons", "file": csv_file(ROWS)}, format="multipart"
        )
    assert response.status_code == 202, response.content
    assert len(callbacks) == 1  # enqueued once the job row is committed
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    import_process(job_id=job_id)

    detail = client.get(f"/api/v1/registry/imports/{job_id}/").json()
    assert {k: detail[k] for k in ("status", "rows_total", "rows_done", "rows_ok", "rows_bad")} == {
        "status": "done", "rows_total": 9, "rows_done": 9, "rows_ok": 3, "rows_bad": 6,
    }  # fmt: skip
    report = client.get(detail["report"])
    assert report.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert len(lines[0]) == 3  # header: line, column, reason (translated)
    assert {int(row[0]) for row in lines[1:]} == set(EXPECTED_BAD)
    assert job_id in [row["id"] for row in client.get("/api/v1/registry/imports/").json()["results"]]


def test_api_import_is_404_outside_the_jurisdiction(officer: User, officer_b: User, addresses: dict[str, Address], api: Any) -> None:
    job = import_create(user=officer, kind="persons", upload=csv_file([GOOD_1]))
    client = api(officer_b)
    assert client.get(f"/api/v1/registry/imports/{job.pk}/").status_code == 404
    assert client.get(f"/api/v1/registry/imports/{job.pk}/report/").status_code == 404
    assert client.post(f"/api/v1/registry/imports/{job.pk}/resume/").status_code == 404
    assert job.pk not in [row["id"] for row in client.get("/api/v1/registry/imports/").json()["results"]]
    assert api(None).get(f"/api/v1/registry/imports/{job.pk}/").status_code == 401


@override_settings(REGISTRY_IMPORT_MAX_BYTES=200)
def test_api_refuses_an_oversized_file_with_413(officer: User, api: Any) -> None:
    big = csv_file([GOOD_1] * 20)
    response = api(officer).post("/api/v1/registry/imports/", {"kind": "persons", "file": big}, format="multipart")
    assert response.status_code == 413
    assert not ImportJob.objects.filter(created_by=officer).exists()


def test_api_import_needs_a_writing_role(county_staff: User, api: Any) -> None:
    response = api(county_staff).post(
        "/api/v1/registry/imports/", {"kind": "persons", "file": csv_file([GOOD_1])}, format="multipart"
    )
    assert response.status_code == 403


# --- pages ----------------------------------------------------------------------------------------------


def test_import_pages_upload_show_progress_and_hide_other_jurisdictions(
    officer: User, officer_b: User, addresses: dict[str, Address], client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(officer)
    assert client.get("/registry/imports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/registry/imports/", {"kind": "persons", "file": csv_file(ROWS)})
    assert response.status_code == 302
    job = ImportJob.objects.get(created_by=officer)
    assert response["Location"] == f"/registry/imports/{job.pk}/"

    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'hx-trigger="every 2s"' in page  # polls while queued
    import_process(job_id=job.pk)
    fragment = client.get(f"/registry/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "hx-trigger" not in fragment  # done: the fragment stops polling
    report = client.get(f"/registry/imports/{job.pk}/report/")
    assert report.status_code == 200 and len(b"".join(report.streaming_content).splitlines()) == 1 + 6

    client.force_login(officer_b)
    assert client.get(f"/registry/imports/{job.pk}/").status_code == 404
    assert client.get(f"/registry/imports/{job.pk}/report/").status_code == 404
    assert f"/registry/imports/{job.pk}/" not in client.get("/registry/imports/").content.decode()


@override_settings(REGISTRY_IMPORT_MAX_BYTES=200)
def test_import_page_refuses_an_oversized_file_with_413(officer: User, client: Any) -> None:
    client.force_login(officer)
    response = client.post("/registry/imports/", {"kind": "persons", "file": csv_file([GOOD_1] * 20)})
    assert response.status_code == 413
    assert not ImportJob.objects.filter(created_by=officer).exists()


def test_import_list_page_is_paged_newest_first(officer: User, addresses: dict[str, Address], client: Any) -> None:
    jobs = [import_create(user=officer, kind="persons", upload=csv_file([GOOD_1])) for _ in range(27)]
    client.force_login(officer)
    first = client.get("/registry/imports/")
    assert first.status_code == 200
    assert f"/registry/imports/{jobs[-1].pk}/" in first.content.decode()
    assert f"/registry/imports/{jobs[1].pk}/" not in first.content.decode()
    second = client.get(f"/registry/imports/?after={jobs[2].pk}")
    assert second.status_code == 200
    assert f"/registry/imports/{jobs[1].pk}/" in second.content.decode()
    assert f"/registry/imports/{jobs[2].pk}/" not in second.content.decode()


def test_stranded_imports_are_sent_again_and_only_those(officer: User, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """A queued job whose message Redis lost, or a running one whose worker died, is sent again; a
    job just queued, one making progress, and finished ones are left alone."""
    from registry.imports.pipeline import STALE_AFTER
    from registry.imports.services import imports_requeue_stranded

    now = timezone.now()
    old, fresh = now - STALE_AFTER - dt.timedelta(minutes=1), now - dt.timedelta(seconds=30)
    template = ImportJob.objects.filter(station=officer.home_station).first()
    assert template is not None  # the demo's finished import at the persona station

    def job(status: str, created: dt.datetime, heartbeat: dt.datetime | None) -> int:
        copy = ImportJob.objects.create(
            kind=template.kind, file=template.file.name, file_name=template.file_name, sha256=template.sha256,
            created_by=officer, station=officer.home_station, status=status,
        )  # fmt: skip
        ImportJob.objects.filter(pk=copy.pk).update(created_at=created, heartbeat_at=heartbeat)
        return copy.pk

    lost = job(ImportStatus.QUEUED, old, None)
    dead = job(ImportStatus.RUNNING, old, old)
    job(ImportStatus.QUEUED, fresh, None)  # a worker will take it any moment
    job(ImportStatus.RUNNING, old, fresh)  # making progress
    job(ImportStatus.FAILED, old, old)  # waits for a person to resume it

    with django_capture_on_commit_callbacks(execute=False) as sent:
        requeued = imports_requeue_stranded(now=now)
    assert requeued == [lost, dead]
    assert len(sent) == 2  # one task message each, once the transaction commits
