"""OpenAPI generation for the project's APIs.

Naming: the HackSoft pattern of nested ``InputSerializer``/``OutputSerializer`` classes:
``ProjectListApi.InputSerializer`` becomes the component ``ProjectListInput`` instead of a clashing ``Input``.

Errors: every operation documents the error statuses it can answer, all with the one error body that
``annotate.core.api.exception_handler`` writes (``{"detail": ..., "fields": {...}}``), so that the schema is
the whole contract a client (and the contract test, tests/annotate/core/test_api_contract.py) relies on.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# Which error statuses an operation documents, and why it can answer each.
ERROR_DESCRIPTIONS = {
    "400": "The request is invalid; ``fields`` says which input to fix and how.",
    "401": "No valid credentials (a missing, wrong, revoked or expired token or session).",
    "403": "Signed in, but this account's role does not allow it (or the session's CSRF check failed).",
    "404": "No such object, or not one the caller may see (non-members get 404, not 403).",
    "409": "The request conflicts with the current state of the record (a duplicate, or a stale view).",
    "415": "The request body is not JSON (or, for uploads, not multipart form data).",
    "429": "Too many attempts; retry after the ``Retry-After`` seconds.",
    "503": "The database is briefly unavailable (restarting, failing over); retry after ``Retry-After``.",
}
BODY_METHODS = {"POST", "PUT", "PATCH"}


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx and 503 answer."""

    detail = serializers.CharField(help_text="What went wrong and what to do about it, in one sentence.")
    fields = serializers.DictField(  # type: ignore[assignment]  # shadows Serializer.fields in the stubs only
        required=False,
        help_text="For invalid input: the messages per field (``non_field_errors`` for the request as a whole).",
    )

    class Meta:
        ref_name = "Error"


class AutoSchema(SpectacularAutoSchema):
    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        if isinstance(serializer, ErrorSerializer) or serializer is ErrorSerializer:
            return "Error"
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        qualname = (
            type(serializer).__qualname__ if not isinstance(serializer, type) else serializer.__qualname__
        )
        if "." in qualname and "<locals>" not in qualname:
            outer, inner = qualname.split(".")[-2:]
            prefix = outer.removesuffix("Api")
            inner = inner.removesuffix("Serializer")
            if name.startswith("Patched"):
                return f"Patched{prefix}{inner}"
            return f"{prefix}{inner}"
        return name

    def error_statuses(self) -> list[str]:
        """The error statuses this operation can answer with (see ERROR_DESCRIPTIONS)."""
        # Any request can be malformed (a query parameter or body), carry a bad token (even on an open
        # endpoint: DRF authenticates every request that sends credentials), miss its object, or meet a
        # database that is restarting, or conflict with the record's state (a write on a stale view, a
        # download of an export that has not finished).
        codes = ["400", "401", "403", "404", "409", "503"]
        if self.method in BODY_METHODS:
            codes.append("415")
        if getattr(self.view, "throttle_classes", None):
            codes.append("429")
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_statuses():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses
