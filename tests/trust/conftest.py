"""The trust suite: health, backup and restore, abuse. Real servers where the control needs them."""

from tests import live

celery_worker = live.celery_worker
committed_db = live.committed_db
isolated_cache = live.isolated_cache
