from celery import shared_task

from stations import services


@shared_task(acks_late=True)
def purge_expired_tokens() -> int:
    """Delete API tokens past their expiry (knox refuses them already; this keeps the table small)."""
    return services.api_tokens_purge_expired()
