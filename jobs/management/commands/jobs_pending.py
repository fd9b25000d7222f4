"""List the jobs not finished (queued or running) and, with ``--requeue``, send the stranded ones again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jobs.models import ACTIVE, Job
from jobs.services import jobs_requeue, leased_job_ids


class Command(BaseCommand):
    help = "List queued and running background jobs; --requeue sends the stranded ones again now."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--requeue", action="store_true", help="send stranded jobs again (what beat does every minute)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        leased = leased_job_ids()
        for job in Job.objects.filter(status__in=ACTIVE).order_by("created_at"):
            lease = " (held by a worker)" if job.status == "running" and job.pk in leased else ""
            self.stdout.write(
                f"{job.pk}\t{job.status}{lease}\t{job.task}\tcreated {job.created_at:%Y-%m-%d %H:%M:%S}"
                f"\tsent {job.sends}x\tattempts {job.attempts}\t{job.error[:80]}"
            )
        if options["requeue"]:
            sent = jobs_requeue()
            self.stdout.write(f"sent again: {', '.join(map(str, sent)) or 'none'}")
