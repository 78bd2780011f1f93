"""Gunicorn's settings for the web app. Gunicorn reads this file from the directory it starts in, which
is the repository root (or /app in the image) for the Dockerfile, docker-compose.yml and
benchmarks/coding_load.py alike, so production and the load benchmark run the same server.

Sync workers, 2 × CPUs + 1 of them (gunicorn's own advice): a request spends much of its time waiting
for PostgreSQL, and the spare processes fill that time. ``benchmarks/coding_load.py`` measured them
against two gthread workers of four threads: the coding loop went from 207 to 237 requests/s, because
with keep-alive connections a gthread worker keeps every connection it accepts, so one worker ends up
with most clients and the GIL caps it at one core.

Each worker loads the app, imports every view and freezes the objects it has by then before serving
(``annotate.core.worker_start``), so no request pays for Django's lazy imports or for a garbage collection
that walks the whole app.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"
timeout = 60


def post_worker_init(worker):
    from annotate.core.worker_start import prepare_worker

    prepare_worker()
