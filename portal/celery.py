import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _connect_operations_signals(**_: object) -> None:
    """Task durations for /metrics (common/metrics.py) and the task id and name on every log line of a
    task (common/logs.py); with ``LOG_FORMAT=json`` the worker logs JSON like the web processes.

    Connected when the app first reads its configuration (a worker or beat starting, a task sent), not
    at import: this module is imported by ``portal/__init__.py`` while a settings module that imports
    ``portal.settings`` (bench/settings.py) is still half-executed."""
    from django.conf import settings

    from common import logs, metrics

    task_prerun.connect(metrics.on_task_prerun, weak=False)
    task_postrun.connect(metrics.on_task_postrun, weak=False)
    task_prerun.connect(logs.on_task_prerun, weak=False)
    task_postrun.connect(logs.on_task_postrun, weak=False)
    if settings.LOG_FORMAT == "json":
        setup_logging.connect(logs.setup_worker_logging, weak=False)

