from celery import shared_task
from django.conf import settings
from django.utils import timezone

from stations import services


@shared_task(acks_late=True)
def purge_expired_tokens() -> int:
    """Delete API tokens past their expiry (knox refuses them already; this keeps the table small)."""
    return services.api_tokens_purge_expired()


@shared_task(acks_late=True)
def disable_idle_accounts() -> int:
    """Disable accounts unused for ``ACCOUNT_MAX_IDLE_DAYS`` days (0: never). Safe to run twice."""
    return len(services.users_disable_idle(now=timezone.now(), max_idle_days=settings.ACCOUNT_MAX_IDLE_DAYS))
