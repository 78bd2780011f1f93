"""Decoding and normalising text, before anything is stored.

The stored text is exactly what segment offsets refer to, so every reader funnels its text through
:func:`normalise_text` (directly, or piece by piece through :class:`TextBuilder`) and never changes it
afterwards. Normalisation:

* line ends: CRLF, CR, NEL (U+0085), vertical tab, form feed and U+2028 become LF; U+2029 (paragraph
  separator) becomes a blank line. (Converting rather than deleting these keeps the words they separated
  apart.)
* control characters other than tab and LF are removed, as are stray byte-order marks (U+FEFF, e.g. from
  concatenated files), lone surrogates and the non-characters U+FFFE/U+FFFF: none can be displayed, and
  PostgreSQL rejects NUL.
* Unicode NFC, last, so that a character split by a removed control character recomposes.

Normalisation is idempotent: ``normalise_text(normalise_text(s)) == normalise_text(s)``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from .errors import ImportFileError

_OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x85\u2028]")
_UNWANTED_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")

# Checked longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Signatures of files that are often uploaded by mistake under a text extension, with what to say about them.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document; upload it with a .pdf extension"),
    (b"PK\x03\x04", "a zip archive or a Word/Excel file; upload it with its own extension (.docx, .zip)"),
    (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or Excel (.xls) file; open it and save it as .docx or .txt"),
    (b"{\\rtf", "a Rich Text (.rtf) document; open it in a word processor and save it as .docx or .txt"),
    (b"\x89PNG", "a PNG image, not a transcript"),
    (b"\xff\xd8\xff", "a JPEG image, not a transcript"),
    (b"GIF8", "a GIF image, not a transcript"),
    (b"\x1f\x8b", "a gzip-compressed file; unpack it first"),
)
_BINARY_SNIFF_BYTES = 8192


def normalise_text(text: str) -> str:
    """Return ``text`` with normalised line ends, no control characters, in Unicode NFC."""
    text = text.replace("\r\n", "\n")
    if _OTHER_LINE_BREAKS.search(text):
        text = _OTHER_LINE_BREAKS.sub("\n", text)
    if "\u2029" in text:
        text = text.replace("\u2029", "\n\n")
    if _UNWANTED_CHARACTERS.search(text):
        text = _UNWANTED_CHARACTERS.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def decode_bytes(data: bytes, filename: str | None, encoding: str | None = None) -> tuple[str, str]:
    """Decode uploaded bytes to (not yet normalised) text; return ``(text, encoding used)``.

    UTF-8 (with or without a BOM) and UTF-16/UTF-32 *with* a BOM are recognised. Any other encoding is
    used only when the user names it: we never guess, because a wrong guess silently corrupts every accented
    name in a transcript. A byte-order mark wins over a named encoding, since it is unambiguous.
    """
    if not data:
        raise ImportFileError("The file is empty. Check that you chose the right file.", filename)
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, bom_encoding, filename), bom_encoding
    _reject_binary(data, filename, check_nul=encoding is None)
    chosen = encoding or "utf-8"
    return _decode(data, chosen, filename), chosen


def _reject_binary(data: bytes, filename: str | None, *, check_nul: bool) -> None:
    for signature, description in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ImportFileError(f"This file is not plain text: it looks like {description}.", filename)
    # NUL never occurs in UTF-8 text, but is in nearly every binary format (and in UTF-16 without a BOM).
    if check_nul and b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise ImportFileError(
            "This file is not plain text: it contains binary data. If it is a transcript, save it as UTF-8 "
            "text (or as .docx) and upload it again; if it is UTF-16 text without a byte-order mark, choose "
            "the encoding 'utf-16-le' or 'utf-16-be' in the import options.",
            filename,
        )


def _decode(data: bytes, encoding: str, filename: str | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        if codecs.lookup(encoding).name == "utf-8":
            hint = (
                "Save the file as UTF-8 (in Word: Save As > Plain Text > Unicode (UTF-8)), or, if you know "
                "its encoding (for example 'windows-1252'), choose it in the import options."
            )
        else:
            hint = "Check that you chose the right encoding in the import options."
        raise ImportFileError(
            f"The file cannot be read as {encoding} text: byte 0x{byte} on line {line} is not valid "
            f"{encoding}. {hint}",
            filename,
        ) from None


class TextBuilder:
    """Assemble a document text from pieces while recording each piece's offsets.

    Used by readers that build the text themselves (.docx, .vtt, .csv ...). Each piece is normalised on the
    way in, so offsets are final the moment they are returned: nothing downstream re-normalises and shifts
    them. Separators are ASCII and never combine with their neighbours under NFC.
    """

    __slots__ = ("_length", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def append(self, piece: str, *, normalise: bool = True) -> tuple[int, int]:
        """Append ``piece`` (normalised unless told it already is); return its ``(start, end)``."""
        if normalise:
            piece = normalise_text(piece)
        start = self._length
        self._parts.append(piece)
        self._length += len(piece)
        return start, self._length

    def build(self) -> str:
        return "".join(self._parts)
