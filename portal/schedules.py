"""Every periodic Celery schedule of the portal, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "purge-expired-api-tokens": {
        "task": "stations.tasks.purge_expired_tokens",
        "schedule": crontab(minute=17),
    },
}
