from celery import shared_task

from common.audit import audit_context
from rewards import services


@shared_task(acks_late=True)
def post_activity_points() -> int:
    """Post points for newly confirmed household-head activities (idempotent)."""
    with audit_context(task="rewards.tasks.post_activity_points"):
        return services.points_post_activities()
