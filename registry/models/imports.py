from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from registry.choices import ImportStatus, RecordKind
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited
class ImportJob(models.Model):
    """A bulk import of one CSV/XLSX file of one record kind, run by a Celery worker.

    Progress (``rows_done``) only ever counts rows whose batch has committed, so a crash loses
    nothing reported as done; the job resumes from ``rows_done``. The rows it writes point back to
    it (``import_job``), which is how an import is audited: per job, with each row pointing to it.

    The bad-row report is not a stored file: it is :class:`ImportRowError`, written in the same
    transaction as the batch it belongs to (so a rerun never reports a row twice), and streamed as CSV."""

    jurisdiction = Jurisdiction(station="station", region="region")

    kind = models.CharField(_("kind"), max_length=10, choices=RecordKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows_total = models.PositiveIntegerField(_("rows in file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_ok = models.PositiveIntegerField(_("good rows"), default=0)
    rows_bad = models.PositiveIntegerField(_("bad rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        "stations.User", verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "stations.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["station", "id"], name="importjob_station"),
            models.Index(fields=["region", "id"], name="importjob_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(station__isnull=False) | Q(region__isnull=False), name="importjob_has_home_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"


class ImportRowError(models.Model):
    """One reason one row of an import file was rejected: the bad-row report (line, column, reason).

    ``line`` is the row's number in the file with the header as line 1 (a spreadsheet's row number)."""

    jurisdiction = Jurisdiction(station="job__station", region="job__region")

    job = models.ForeignKey(
        ImportJob,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="row_errors",
        db_index=False,
    )
    line = models.PositiveIntegerField(_("line"))
    column = models.CharField(_("column"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("bad import row")
        verbose_name_plural = _("bad import rows")
        indexes = [models.Index(fields=["job", "line", "id"], name="importrowerror_report")]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"
