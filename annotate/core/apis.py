from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def _database_state() -> str:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; the reason goes to the log, not to anonymous callers
        return "unavailable"
    return "ok"


def _broker_state() -> tuple[str, int | None]:
    """The broker's state and the number of workers that answered a ping (None when unknown)."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.INTERCODER_HEALTH_PING_TIMEOUT)
    except Exception:
        return "unavailable", None
    try:
        replies = celery_app.control.ping(timeout=settings.INTERCODER_HEALTH_PING_TIMEOUT) or []
    except Exception:
        return "ok", None
    return "ok", len(replies)


class HealthApi(APIView):
    """Liveness for load balancers and for people: the database, the broker and the live workers."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.CharField(),
                "database": serializers.CharField(),
                "broker": serializers.CharField(),
                "workers": serializers.IntegerField(allow_null=True),
            },
        )
    )
    def get(self, request):
        database = _database_state()
        workers: int | None
        if celery_app.conf.task_always_eager:
            broker, workers = "eager (tasks run in the web process)", 0
        else:
            broker, workers = _broker_state()
        healthy = database == "ok"
        body = {
            "status": "ok" if healthy and broker == "ok" else ("degraded" if healthy else "unavailable"),
            "database": database,
            "broker": broker,
            "workers": workers,
        }
        return Response(body, status=200 if healthy else 503)
