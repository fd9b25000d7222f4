"""Task tests that run on a real Celery worker (``celery_worker``, bound in tests/conftest.py)."""
