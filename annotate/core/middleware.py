from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from .request_context import new_request_id, reset_request_id, set_request_id

# A database that cannot be reached (restarting, failing over, out of connections): the client is asked
# to send the request again. Every write is safe to repeat: coding sets carry a version, "done" and the
# other steps of the coding loop are idempotent.
DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_S = 5


def database_unavailable_body() -> dict[str, str]:
    return {
        "detail": "The database cannot be reached at the moment (it may be restarting). "
        f"Send the request again in {DATABASE_RETRY_AFTER_S} seconds."
    }


def database_unavailable_headers() -> dict[str, str]:
    return {"Retry-After": str(DATABASE_RETRY_AFTER_S)}


class RequestIdMiddleware:
    """Give every request an id (``X-Request-ID`` in and out) that its audit events record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class DatabaseUnavailableMiddleware:
    """A view outside the API (the API's exception handler does the same) that fails because the
    database cannot be reached answers 503 with ``Retry-After`` and a message, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        return JsonResponse(database_unavailable_body(), status=503, headers=database_unavailable_headers())
