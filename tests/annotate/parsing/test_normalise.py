"""Decoding and normalisation: what is stored is exactly what offsets refer to."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.parsing import (
    ImportFileError,
    ImportOptions,
    decode_bytes,
    normalise_text,
    parse_file,
)


def test_utf8_with_and_without_bom_decode_the_same():
    text = "José: olá\n"
    assert decode_bytes(text.encode("utf-8"), "a.txt") == (text, "utf-8")
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.txt") == (text, "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_recognised(codec):
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    data = bom + "Zoë: hallo".encode(codec)
    assert decode_bytes(data, "a.txt") == ("Zoë: hallo", "utf-16")


def test_other_encodings_only_when_named():
    data = "Café: olé".encode("cp1252")
    with pytest.raises(ImportFileError, match=r"cannot be read as utf-8 text: byte 0xe9 on line 1") as info:
        decode_bytes(data, "a.txt")
    assert "choose it in the import options" in info.value.message
    assert decode_bytes(data, "a.txt", "windows-1252") == ("Café: olé", "windows-1252")


def test_bom_wins_over_a_named_encoding():
    data = b"\xef\xbb\xbf" + "Zoë".encode()
    assert decode_bytes(data, "a.txt", "latin-1")[0] == "Zoë"


def test_line_ends_become_lf():
    assert normalise_text("a\r\nb\rc\nd\x85e\u2028f") == "a\nb\nc\nd\ne\nf"
    assert normalise_text("a\u2029b") == "a\n\nb"
    assert normalise_text("page\x0cnext") == "page\nnext"


def test_control_characters_are_removed_except_tab_and_newline():
    assert normalise_text("a\x00b\x07c\td\ne\x7ff\x9bg\ufeffh") == "abc\td\nefgh"


def test_nfc_composes_combining_marks():
    decomposed = "Jose\u0301 Nu\u0301n\u0303ez"
    assert normalise_text(decomposed) == "José Núñez"
    # A control character between a letter and its accent is removed first, then they compose.
    assert normalise_text("e\x00\u0301") == "é"


def test_parse_file_stores_normalised_text():
    data = "Interviewer:\tHi\r\nP07: Jose\u0301\r\n".encode("utf-16")
    transcript = parse_file(data, "a.txt")
    assert transcript.text == "Interviewer:\tHi\nP07: José\n"
    assert transcript.encoding == "utf-16"


def test_sha256_is_of_the_raw_bytes():
    import hashlib

    data = b"\xef\xbb\xbfInterviewer: hi\r\n"
    assert parse_file(data, "a.txt").sha256 == hashlib.sha256(data).hexdigest()


def test_named_encoding_is_validated():
    with pytest.raises(ImportFileError, match="Unknown text encoding 'klingon'"):
        ImportOptions(encoding="klingon")


MESSY_PIECES = st.sampled_from(["\r\n", "\r", "\u0301", "\x00", "\ufeff", "👩‍🔬", "\u2028", "\x85"])


@given(st.lists(st.characters() | MESSY_PIECES).map("".join))
def test_normalisation_is_idempotent_and_clean(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once
    assert unicodedata.is_normalized("NFC", once)
    assert all(ch in "\t\n" or unicodedata.category(ch) != "Cc" for ch in once)
