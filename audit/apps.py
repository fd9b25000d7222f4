from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail as evidence: append-only tables, the hash chain over them, its verification,
    the retention purge, and the auditor's search and CSV export. Reads other apps; nothing imports it."""

    name = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from audit.protection import install_after_migrate

        # Event tables added by later migrations (a newly @audited model) get the protecting triggers
        # on the next migrate without a migration of their own.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="audit.install_protection")
