from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audit import services


@shared_task(acks_late=True)
def seal_pending_task() -> int:
    """Seal the audit rows committed since the last run into the hash chain (idempotent)."""
    return sum(services.audit_seal_pending(now=timezone.now()).values())


@shared_task(acks_late=True)
def purge_expired_task() -> int:
    """Delete audit rows older than ``AUDIT_RETENTION_DAYS`` (idempotent: a second run finds none)."""
    return sum(
        services.audit_purge_expired(
            now=timezone.now(), retention_days=settings.AUDIT_RETENTION_DAYS
        ).values()
    )
