"""The one domain exception. Services raise it with a message that tells the user what to fix; the API
exception handler turns it into an HTTP 4xx."""

from typing import Any


class ApplicationError(Exception):
    """A request the research record cannot accept. ``status`` is the HTTP status the API returns."""

    status = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status is not None:
            self.status = status


class ConflictError(ApplicationError):
    """The client acted on a stale view of the record (HTTP 409)."""

    status = 409
