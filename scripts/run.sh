#!/usr/bin/env bash
# `make run`: migrate, load the demo study, start the web app and a Celery worker that also runs beat (-B:
# the job dispatcher, every INTERCODER_JOB_DISPATCH_INTERVAL_S); Ctrl-C stops both.
# Embedded default (no DATABASE_URL / CELERY_BROKER_URL): SQLite in var/ and kombu's filesystem broker
# in var/broker/, so nothing else needs to be running.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-annotate.settings.local}
mkdir -p var

$BIN/python manage.py migrate --noinput
$BIN/python manage.py load_demo

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping Intercoder…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$BIN/celery -A annotate worker -B --loglevel=INFO --concurrency=2 -n "intercoder-local@%h" &
pids+=($!)
$BIN/python manage.py runserver --noreload "$HOST:$PORT" &
pids+=($!)

sleep 2
cat <<MSG

  Intercoder is running at http://$HOST:$PORT/
  API reference: http://$HOST:$PORT/api/v1/docs/   Health: http://$HOST:$PORT/api/v1/health/
  Database: ${DATABASE_URL:-SQLite in var/intercoder.sqlite3}   Broker: ${CELERY_BROKER_URL:-filesystem (var/broker/)}
  Demo logins are listed above (password: intercoder-demo). Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
