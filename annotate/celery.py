"""The Celery app. Configuration comes from Django settings (``CELERY_*``); tasks live in ``workers``,
which is not a Django app, so it is named explicitly for discovery."""

import os

from celery import Celery
from celery.signals import setup_logging, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings.local")

app = Celery("intercoder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"])


@app.on_after_finalize.connect
def _register_tasks(**_kwargs):  # pragma: no cover - wiring
    """Register the tasks in every process that uses the app, the web processes too: the services send
    them by name (``annotate.core.jobs.enqueue_on_commit``), since the tasks import the services and not
    the other way round."""
    import workers.tasks  # noqa: F401


@setup_logging.connect
def _use_django_logging(**_kwargs):  # pragma: no cover - wiring
    """Hand logging to Django's LOGGING instead of Celery's own handlers."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@worker_ready.connect
def _dispatch_lost_jobs(**_kwargs):
    """A worker that starts (often: restarts after one died) runs the dispatcher once at once, without
    waiting for beat's next tick (annotate.core.jobs)."""
    import logging

    from annotate.core.jobs import job_dispatch_due

    try:
        sent = job_dispatch_due()
    except Exception:  # pragma: no cover - never keep a worker from starting
        logging.getLogger(__name__).exception("the job dispatcher failed at worker start")
        return
    if any(sent.values()):
        logging.getLogger(__name__).warning("sent jobs whose message or worker was lost: %s", sent)
