"""A registry import run end to end by a real Celery worker: the job is recorded, enqueued on commit,
claimed by the worker and processed with its writer thread (the pipelined path), and the same file
imported again changes nothing."""

from __future__ import annotations

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric

from registry.imports.services import import_create
from registry.models import Address, ImportJob, ImportRowError, Person
from stations.models import User
from tests.live import CeleryWorker

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def nid(seq: int) -> str:
    body = f"62010219900101{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def wait_done(job_id: int, timeout: float = 90) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"import {job_id} did not finish: {ImportJob.objects.get(pk=job_id).status}")


def test_an_import_runs_on_the_worker_and_a_rerun_changes_nothing(celery_worker: CeleryWorker) -> None:
    officer = User.objects.select_related("home_station__county").get(username="officer")
    station = officer.home_station
    Address.objects.create(code="T-WORKER-1", level="room", county=station.county, station=station, name="1", full_text="W 1")
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["national_id", "name", "phone", "address_code"])
    for seq in range(1, 121):
        out.writerow([nid(seq), f"人{seq}", "13812345678", "T-WORKER-1"])
    out.writerow([nid(500)[:17] + ("1" if nid(500)[17] != "1" else "2"), "坏", "", "T-WORKER-1"])  # line 122
    content = buffer.getvalue().encode()

    first = wait_done(import_create(user=officer, kind="persons", upload=SimpleUploadedFile("w.csv", content)).pk)
    assert first.status == "done", (first.error, celery_worker.log()[-3000:])
    assert (first.rows_done, first.rows_ok, first.rows_bad) == (121, 120, 1)
    assert list(ImportRowError.objects.filter(job=first).values_list("line", "column")) == [(122, "national_id")]
    stamps = dict(Person.objects.filter(import_job=first).values_list("pk", "updated_at"))
    assert len(stamps) == 120

    second = wait_done(import_create(user=officer, kind="persons", upload=SimpleUploadedFile("w.csv", content)).pk)
    assert (second.status, second.rows_ok, second.rows_bad) == ("done", 120, 1)
    assert dict(Person.objects.filter(pk__in=stamps).values_list("pk", "updated_at")) == stamps
