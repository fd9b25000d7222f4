"""Writes of the import feature: start an import, resume a failed one, send stranded ones again."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from registry.choices import ImportStatus, RecordKind
from registry.models import ImportJob


class ImportTooLarge(ValueError):
    """The upload is over ``REGISTRY_IMPORT_MAX_BYTES``."""


class ImportNotAllowed(PermissionError):
    pass


def max_upload_bytes() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 512 * 1024 * 1024))


def _enqueue(job_id: int) -> None:
    """Send the job to a worker once the transaction commits. With Redis down the send fails within a
    second or two and is only logged (``jobs.services.task_send``): the job stays queued in the database
    and ``imports_requeue_stranded`` sends it when Redis is back. (``import_run.delay`` would wait ~20 s
    on the result backend and then fail the request.)"""
    from jobs.services import task_send

    transaction.on_commit(lambda: task_send(name="registry.tasks.import_run", args=[job_id]))


def import_create(*, user: Any, kind: str, upload: UploadedFile) -> ImportJob:
    """Record the import (queued) and hand it to a worker once the record is committed."""
    from stations.api.permissions import can_write

    if not can_write(user):
        raise ImportNotAllowed
    if kind not in RecordKind.values:
        raise ValueError(kind)
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ImportTooLarge(upload.size)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    station = user.home_station
    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            status=ImportStatus.QUEUED,
            file_name=(upload.name or "import")[:255],
            sha256=digest.hexdigest(),
            created_by=user,
            station=station,
            region=station.county if station is not None else user.home_region,
        )
        job.file.save(upload.name or "import", upload, save=False)
        job.save()
        _enqueue(job.pk)
    return job


def import_resume(*, user: Any, job: ImportJob) -> bool:
    """Queue a failed (or abandoned) job again; it continues from ``rows_done``. False if it cannot."""
    from stations.api.permissions import can_write
    from stations.jurisdiction import is_in_scope

    if not can_write(user):
        raise ImportNotAllowed
    with transaction.atomic():
        if not is_in_scope(job, user):
            raise ImportJob.DoesNotExist
        stale = timezone.now() - _stale_after()
        resumable = ImportJob.objects.filter(pk=job.pk).filter(
            status=ImportStatus.FAILED
        ) | ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, heartbeat_at__lt=stale)
        if not resumable.update(status=ImportStatus.QUEUED, error="", finished_at=None):
            return False
        _enqueue(job.pk)
    return True


def imports_requeue_stranded(*, now: Any = None, limit: int = 100) -> list[int]:
    """Send again the jobs nobody is working on: queued ones whose message was lost (Redis restarted
    or emptied between the upload and a worker taking it) and running ones whose worker died, both
    without progress for ``STALE_AFTER``. Claiming a job is atomic (``pipeline``), so a job that was
    only slow to be taken still runs once; a resumed one continues from ``rows_done``. Returns the ids."""
    stale = (now or timezone.now()) - _stale_after()
    no_progress = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
    stranded = Q(status=ImportStatus.QUEUED, created_at__lt=stale) & no_progress | Q(
        status=ImportStatus.RUNNING, heartbeat_at__lt=stale
    )
    ids = list(ImportJob.objects.filter(stranded).order_by("pk").values_list("pk", flat=True)[:limit])
    for job_id in ids:
        _enqueue(job_id)
    return ids


def _stale_after():  # type: ignore[no-untyped-def]
    from registry.imports.pipeline import STALE_AFTER

    return STALE_AFTER
