"""Task tests that run on a real Celery worker: see ``tests.live.celery_worker``."""

from tests import live

celery_worker = live.celery_worker
committed_db = live.committed_db
