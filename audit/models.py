"""The hash chain over the audit tables (see :mod:`audit.chain`)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SealKind(models.TextChoices):
    SEAL = "seal", _("seal")
    PURGE = "purge", _("purge")


class Seal(models.Model):
    """One link of the chain. A *seal* covers the rows of one audit table after the previous seal of
    that table, up to ``last_key``: their keys, and a keyed MAC of each row. A *purge* records the
    keys the retention purge removed from the rows of the seal ``covers``. Every link's ``mac`` is an
    HMAC, with a key that is not in the database, of the previous link's ``mac`` and its own content;
    the table is append-only (audit.protection) and itself verified link by link."""

    kind = models.CharField(_("kind"), max_length=10, choices=SealKind.choices)
    table = models.CharField(_("table"), max_length=100)
    last_key = models.CharField(_("last key"), max_length=100)
    row_keys = ArrayField(models.CharField(max_length=100), verbose_name=_("row keys"))
    row_macs = models.BinaryField(_("row MACs"), default=b"")
    columns = ArrayField(models.CharField(max_length=100), verbose_name=_("columns"), default=list)
    covers = models.BigIntegerField(_("purged from seal"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("sealed at"), auto_now_add=True)
    mac = models.CharField(_("MAC"), max_length=64)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        indexes = [
            models.Index(fields=["table", "kind", "id"], name="audit_seal_table"),
            models.Index(fields=["covers"], name="audit_seal_covers", condition=models.Q(kind="purge")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.table} ≤ {self.last_key}"


class Watermark(models.Model):
    """The highest key of each id-ordered audit table at ``at`` (read before ``at``). A later sealing
    run seals up to a watermark only once every transaction open at that time has ended, so a long
    transaction that commits low ids late is never skipped. Operational, not evidence: pruned."""

    at = models.DateTimeField(_("at"), db_index=True)
    positions = models.JSONField(_("positions"), default=dict)

    class Meta:
        verbose_name = _("audit watermark")
        verbose_name_plural = _("audit watermarks")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S}"
