from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import DuplicateStatus, RecordKind
from stations.jurisdiction import Jurisdiction, ScopedManager


class QualityRate(models.Model):
    """Completeness, accuracy and freshness of one record kind for one unit (a station or a region)
    on one day — the summary table a Celery task keeps, so no page scans the registry."""

    jurisdiction = Jurisdiction(station="station", region="region")

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=RecordKind.choices)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.ForeignKey(
        "stations.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    total = models.PositiveBigIntegerField(_("records"))
    complete = models.PositiveBigIntegerField(_("complete"))
    accurate = models.PositiveBigIntegerField(_("accurate"))
    fresh = models.PositiveBigIntegerField(_("fresh"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("data-quality rate")
        verbose_name_plural = _("data-quality rates")
        constraints = [
            models.CheckConstraint(
                condition=(Q(station__isnull=False) & Q(region__isnull=True))
                | (Q(station__isnull=True) & Q(region__isnull=False)),
                name="qualityrate_one_unit",
            ),
            models.UniqueConstraint(
                fields=["day", "kind", "station"],
                condition=Q(station__isnull=False),
                name="qualityrate_station_day",
            ),
            models.UniqueConstraint(
                fields=["day", "kind", "region"],
                condition=Q(region__isnull=False),
                name="qualityrate_region_day",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "day"], name="qualityrate_station"),
            models.Index(fields=["region", "day"], name="qualityrate_region"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.station_id or self.region_id} · {self.day}"

    @staticmethod
    def _rate(part: int, total: int) -> float:
        return part / total if total else 1.0

    @property
    def completeness(self) -> float:
        return self._rate(self.complete, self.total)

    @property
    def accuracy(self) -> float:
        return self._rate(self.accurate, self.total)

    @property
    def freshness(self) -> float:
        return self._rate(self.fresh, self.total)


class QualityIssue(models.Model):
    """One way one record fails a quality rule, kept by the quality task so an officer can list
    exactly which of their records fail and why."""

    jurisdiction = Jurisdiction(station="station")

    kind = models.CharField(_("kind"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("record"))
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    dimension = models.CharField(_("dimension"), max_length=12)  # completeness / accuracy / freshness
    rule = models.CharField(_("rule"), max_length=40)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    found_at = models.DateTimeField(_("found at"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("data-quality issue")
        verbose_name_plural = _("data-quality issues")
        indexes = [
            models.Index(fields=["station", "kind", "dimension", "id"], name="qualityissue_list"),
            models.Index(fields=["station", "id"], name="qualityissue_station"),
            models.Index(fields=["kind", "record_id"], name="qualityissue_record"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: {self.rule}"


class DuplicateCandidate(models.Model):
    """Two records that are likely the same person, house or unit, queued for a human to merge or dismiss."""

    jurisdiction = Jurisdiction(station="station")

    kind = models.CharField(_("kind"), max_length=10, choices=RecordKind.choices)
    record_a = models.BigIntegerField(_("record"))
    record_b = models.BigIntegerField(_("possible duplicate"))
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("similarity"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    decided_by = models.ForeignKey(
        "stations.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_a", "record_b"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(record_a__lt=models.F("record_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status", "id"], name="duplicate_queue"),
            models.Index(fields=["kind", "record_b"], name="duplicate_record_b"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_a} ~ {self.record_b}"


class RicPlace(models.Model):
    """The region codes a national ID may start with (GB/T 2260, with the years each code was in use),
    loaded from python-stdnum's own table (``stdnum/cn/loc.dat``) so that the set-based quality SQL
    judges a national ID exactly as ``stdnum.cn.ric`` does (see ``registry/quality.py``)."""

    code = models.CharField(_("region code"), max_length=6)
    first_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("until year"), null=True, blank=True)

    class Meta:
        verbose_name = _("national-ID region code")
        verbose_name_plural = _("national-ID region codes")
        indexes = [models.Index(fields=["code"], name="ricplace_code")]

    def __str__(self) -> str:
        return self.code
