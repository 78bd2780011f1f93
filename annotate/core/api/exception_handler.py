"""Every error leaves the API as JSON that says what to fix: ``{"detail": "...", "fields": {...}}``.

Django's ``ValidationError`` and our ``ApplicationError`` become 400 (or the error's own status); database
integrity errors that slip past a service become 409 with a plain message, a row deleted under a
request 404, and a database that cannot be reached (restarting, failing over) 503 with ``Retry-After``,
never a 500.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from annotate.core.exceptions import ApplicationError
from annotate.core.middleware import DATABASE_ERRORS, database_unavailable_body, database_unavailable_headers


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message}
        if exc.extra:
            body.update(exc.extra)
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ObjectDoesNotExist):
        # A row deleted by a concurrent request after this one read it (services lock with
        # ``annotate.core.locks.lock_row``, which says so itself; this is the net under the rest).
        exc = exceptions.NotFound("What this request refers to no longer exists; reload the page.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_ERRORS):
        return Response(database_unavailable_body(), status=503, headers=database_unavailable_headers())
    elif isinstance(exc, IntegrityError):
        return Response(
            {"detail": "This change conflicts with the existing record (a duplicate or a broken reference)."},
            status=409,
        )

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": "Invalid input: " + _flatten(fields), "fields": fields}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response
