"""The Celery app. Configuration comes from Django settings (``CELERY_*``); tasks live in ``workers``,
which is not a Django app, so it is named explicitly for discovery."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings.local")

app = Celery("intercoder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"])


@setup_logging.connect
def _use_django_logging(**_kwargs):  # pragma: no cover - wiring
    """Hand logging to Django's LOGGING instead of Celery's own handlers."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
