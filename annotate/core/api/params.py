"""Query parameters as a serializer should read them."""

from typing import Any


def query_params(request) -> dict[str, Any]:
    """The query string as a plain dict (a repeated parameter as a list). DRF reads a ``QueryDict`` as an
    HTML form, where an empty optional field counts as absent, so ``?status=`` would silently mean "every
    status"; from a plain dict an empty value is validated like any other and refused with the field's
    message."""
    return {key: values[0] if len(values) == 1 else values for key, values in request.query_params.lists()}
