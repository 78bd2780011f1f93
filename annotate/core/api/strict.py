"""Strict JSON types for request bodies.

DRF coerces what a JSON body sends into the field's type: ``{"name": 5}`` becomes the name ``"5"`` and
``{"is_active": "yes"}`` becomes ``True``. A client sending the wrong type has a bug; the API refuses it
with 400 and the field's message instead of guessing, as the OpenAPI schema (the contract) says.

Form data and query strings carry only text, so there the fields still parse text as DRF does; only JSON
bodies are held to their types: the JSON parser marks the objects it reads (``JsonObject``), and a field
is strict when the data its serializer was given is such an object (or a JSON array). Installed once at
start-up (``CoreConfig.ready``).
"""

from rest_framework import serializers
from rest_framework.parsers import JSONParser


class JsonObject(dict):
    """A JSON object from a request body."""


def _mark(value):
    if isinstance(value, dict):
        return JsonObject((key, _mark(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_mark(item) for item in value]
    return value


def _from_json(field: serializers.Field) -> bool:
    data = getattr(field.root, "initial_data", None)
    return isinstance(data, JsonObject) or (isinstance(data, list) and not isinstance(data, str))


def _strict(field_class, accepts):
    """Refuse, with the field's own "invalid" message, a JSON value ``accepts`` says is of the wrong type."""
    lenient = field_class.to_internal_value

    def to_internal_value(self, data):
        if _from_json(self) and not accepts(data):
            self.fail("invalid")
        return lenient(self, data)

    field_class.to_internal_value = to_internal_value


def _is_text(data) -> bool:
    return isinstance(data, str)


def _is_number(data) -> bool:
    return isinstance(data, int | float) and not isinstance(data, bool)


def _is_integer(data) -> bool:
    return (isinstance(data, int) and not isinstance(data, bool)) or (
        isinstance(data, float) and data.is_integer()
    )


def _is_boolean(data) -> bool:
    return isinstance(data, bool)


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    parse = JSONParser.parse

    def parse_marked(self, stream, media_type=None, parser_context=None):
        return _mark(parse(self, stream, media_type, parser_context))

    JSONParser.parse = parse_marked  # type: ignore[method-assign]
    # ChoiceField: its choices are text or numbers as declared; DRF compares their text, so leave it be.
    _strict(serializers.CharField, _is_text)  # "Not a valid string."
    _strict(serializers.IntegerField, _is_integer)  # "A valid integer is required."
    _strict(serializers.FloatField, _is_number)  # "A valid number is required."
    _strict(serializers.BooleanField, _is_boolean)  # "Must be a valid boolean."
