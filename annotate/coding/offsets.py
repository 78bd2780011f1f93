"""Offsets at the API boundary. The record stores code points (Python ``str`` indices, what the database's
``length()`` counts); browsers measure selections in UTF-16 code units, where a character outside the
Basic Multilingual Plane (most emoji) counts two. Requests name their unit; we convert here and nowhere
else. Combining marks are code points of their own in both units, so they need no special case."""

from annotate.core.exceptions import ApplicationError

CODEPOINT = "codepoint"
UTF16 = "utf16"
OFFSET_UNITS = (CODEPOINT, UTF16)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def codepoint_to_utf16(text: str, offset: int) -> int:
    return _utf16_length(text[:offset])


def utf16_to_codepoint(text: str, offset: int) -> int:
    """The code-point offset of a UTF-16 offset into ``text``; 400 if it falls inside a surrogate pair."""
    encoded = text.encode("utf-16-le")
    if not 0 <= offset <= len(encoded) // 2:
        raise ApplicationError(f"The UTF-16 offset {offset} lies outside the document.")
    if offset > 0 and offset < len(encoded) // 2:
        unit = int.from_bytes(encoded[2 * offset : 2 * offset + 2], "little")
        if 0xDC00 <= unit <= 0xDFFF:
            raise ApplicationError(f"The UTF-16 offset {offset} falls inside a character (a surrogate pair).")
    return len(encoded[: 2 * offset].decode("utf-16-le"))
