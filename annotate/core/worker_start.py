"""What a web worker does once, after loading the app and before its first request (gunicorn.conf.py).

Django imports the URL configuration, and with it every view, serializer and service, on the first
request. Importing them here makes that request as fast as the rest. Then the garbage collector is told
to leave everything loaded so far alone (``gc.freeze``): those ~146,000 objects live as long as the worker,
yet every full collection walked all of them, up to 107 ms on the machine of ``benchmarks/RESULTS.md``
(the coding-loop runs of 2026-11-27), a pause on whichever request was running. Objects made after this are collected as usual.
"""

import gc

from django.urls import get_resolver


def prepare_worker() -> None:
    """Import the whole URL configuration, collect once, then freeze what is left."""
    get_resolver().url_patterns  # noqa: B018 (imports every view, serializer and service)
    gc.collect()
    gc.freeze()
