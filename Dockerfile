# One image for the web app (gunicorn + whitenoise), its live-update events (uvicorn) and the Celery worker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=annotate.settings.production INTERCODER_VAR_DIR=/app/var

RUN apt-get update && apt-get install -y --no-install-recommends libpq5 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 intercoder

WORKDIR /app
COPY pyproject.toml README.md ./
COPY annotate ./annotate
COPY workers ./workers
COPY frontend ./frontend
COPY manage.py gunicorn.conf.py ./
# var/media exists (owned by the app's user) before compose mounts its shared volume there, so the new
# volume takes that owner.
RUN pip install . && mkdir -p /app/var/media && chown -R intercoder /app/var

# collectstatic needs settings but no secrets of consequence at build time.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=memory:// REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

USER intercoder
EXPOSE 8000 8001
# Workers and their class: gunicorn.conf.py (WEB_CONCURRENCY overrides the count).
CMD ["gunicorn", "annotate.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
