import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audit import services
from audit.models import Seal

logger = logging.getLogger("audit")


@shared_task(acks_late=True)
def seal_pending_task() -> int:
    """Seal the audit rows committed since the last run into the hash chain (idempotent). The chain's
    head goes to the log, outside the database: ``audit_verify --head`` checks it is still there."""
    sealed = sum(services.audit_seal_pending(now=timezone.now()).values())
    head = Seal.objects.order_by("-id").values_list("id", "mac").first()
    if sealed and head:
        logger.info("audit chain: %d rows sealed, head link %d mac %s", sealed, head[0], head[1])
    return sealed


@shared_task(acks_late=True)
def purge_expired_task() -> int:
    """Delete audit rows older than ``AUDIT_RETENTION_DAYS`` (idempotent: a second run finds none)."""
    deleted = services.audit_purge_expired(now=timezone.now(), retention_days=settings.AUDIT_RETENTION_DAYS)
    if deleted:
        logger.info("audit retention: purged %s", deleted)
    return sum(deleted.values())
