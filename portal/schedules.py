"""Every periodic Celery schedule of the portal, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "purge-expired-api-tokens": {
        "task": "stations.tasks.purge_expired_tokens",
        "schedule": crontab(minute=17),
    },
}

# Disputes: the monthly summary the dispute dashboards read (only changed rows are written).
BEAT_SCHEDULE["disputes-refresh-figures"] = {
    "task": "disputes.tasks.refresh_figures",
    "schedule": crontab(minute="*/10"),
}

# Beats: officers' monthly check-in compliance for the assessment, nightly; each community's
# eight-nos row for the new year, on 1 January.
BEAT_SCHEDULE["beats-snapshot-compliance"] = {
    "task": "beats.tasks.snapshot_compliance",
    "schedule": crontab(hour=1, minute=20),
}
BEAT_SCHEDULE["beats-open-eight-nos-year"] = {
    "task": "beats.tasks.open_eight_nos_year",
    "schedule": crontab(month_of_year=1, day_of_month=1, hour=0, minute=30),
}

# Registry: imports whose queue message was lost, sent again every five minutes; data-quality rates
# every night (recorded as a job, jobs.services; set-based, into the summary table the pages read); the
# inspection table's monthly partitions created three months ahead; each station's inspection plan
# drawn at random on Monday morning (never earlier).
BEAT_SCHEDULE["registry-imports-requeue-stranded"] = {
    "task": "registry.tasks.imports_requeue_stranded_task",
    "schedule": crontab(minute="*/5"),
}
BEAT_SCHEDULE["registry-quality-recompute"] = {
    "task": "registry.tasks.quality_recompute_submit_task",
    "schedule": crontab(hour=2, minute=10),
}
BEAT_SCHEDULE["registry-inspection-partitions"] = {
    "task": "registry.tasks.inspection_partitions_task",
    "schedule": crontab(hour=3, minute=5),
}
BEAT_SCHEDULE["registry-inspection-plans"] = {
    "task": "registry.tasks.inspection_plans_task",
    "schedule": crontab(day_of_week="mon", hour=6, minute=0),
}

# Evaluation: last month's assessment scores and every station's ledgers, on the 2nd of each month
# (after the nightly quality and compliance runs have closed the month); each recorded as a job first.
BEAT_SCHEDULE["evaluation-assessment-score"] = {
    "task": "evaluation.tasks.assessment_score_submit_task",
    "schedule": crontab(day_of_month=2, hour=4, minute=0),
}
BEAT_SCHEDULE["evaluation-ledgers-generate"] = {
    "task": "evaluation.tasks.ledgers_generate_submit_task",
    "schedule": crontab(day_of_month=2, hour=4, minute=30),
}

# Rewards: household-head points for newly confirmed activities, every half hour (idempotent).
BEAT_SCHEDULE["rewards-post-activity-points"] = {
    "task": "rewards.tasks.post_activity_points",
    "schedule": crontab(minute="*/30"),
}

# Health: the worker's heartbeat that /healthz reads (stations/health.py); stale after HEARTBEAT_MAX_AGE.
BEAT_SCHEDULE["stations-worker-heartbeat"] = {
    "task": "stations.health.worker_heartbeat",
    "schedule": 30.0,
    "options": {"expires": 30},
}

# Stations: disable accounts unused for ACCOUNT_MAX_IDLE_DAYS days (their sessions and tokens end), nightly.
BEAT_SCHEDULE["stations-disable-idle-accounts"] = {
    "task": "stations.tasks.disable_idle_accounts",
    "schedule": crontab(hour=0, minute=45),
}

# Jobs: recomputes and ledger runs whose message Redis lost (or never took: it was down) or whose worker
# died, sent again; a job runs once however many messages it gets (jobs/services.py).
BEAT_SCHEDULE["jobs-requeue"] = {
    "task": "jobs.tasks.jobs_requeue_task",
    "schedule": 60.0,
    "options": {"expires": 60},
}

# Audit: seal newly committed audit rows into the hash chain every five minutes; purge rows past
# AUDIT_RETENTION_DAYS nightly (audit/chain.py, audit/services.py).
BEAT_SCHEDULE["audit-seal-pending"] = {
    "task": "audit.tasks.seal_pending_task",
    "schedule": crontab(minute="*/5"),
}
BEAT_SCHEDULE["audit-purge-expired"] = {
    "task": "audit.tasks.purge_expired_task",
    "schedule": crontab(hour=3, minute=40),
}
