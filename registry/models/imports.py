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
    it (``import_job``), which is how an import is audited: per job, with each row pointing to it."""

    jurisdiction = Jurisdiction(station="station", region="region")

    kind = models.CharField(_("kind"), max_length=10, choices=RecordKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows_total = models.PositiveIntegerField(_("rows in file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_ok = models.PositiveIntegerField(_("good rows"), default=0)
    rows_bad = models.PositiveIntegerField(_("bad rows"), default=0)
    report = models.FileField(_("bad-row report"), upload_to="import-reports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey("stations.User", verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("stations.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(station__isnull=False) | Q(region__isnull=False), name="importjob_has_home_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"
