"""Celery tasks: thin interfaces that load through selectors, call ``workers.stats`` or a service, and
persist through services. One module per kind of run; every module here is imported so Celery's
``autodiscover_tasks(["workers"])`` registers all of them."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
