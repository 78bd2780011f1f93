"""Zip batches: streaming, skipping system files, per-member errors, and the archive-level limits."""

import io
import types
import zipfile
from pathlib import Path

import pytest

from annotate.parsing import ImportFileError, ImportLimits, ImportOptions, iter_archive

DATA = Path(__file__).resolve().parents[2] / "data" / "import"


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            if name.endswith("/"):
                archive.writestr(zipfile.ZipInfo(name), b"")
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def test_members_are_returned_one_by_one_as_a_generator():
    data = make_zip(
        {
            "study/": b"",
            "study/P01.txt": b"Interviewer: Hi.\nP01: Hello.",
            "study/P02.docx": (DATA / "interview.docx").read_bytes(),
            "study/P03.pdf": (DATA / "interview.pdf").read_bytes(),
            "__MACOSX/study/._P01.txt": b"\x00\x05\x16\x07",
            "study/.DS_Store": b"\x00\x00\x00\x01Bud1",
            "study/Thumbs.db": b"\xd0\xcf\x11\xe0",
        }
    )
    results = iter_archive(data, "batch.zip")
    assert isinstance(results, types.GeneratorType)
    first = next(results)
    assert first.ok
    assert first.filename == "batch.zip/study/P01.txt"
    assert first.transcript.speakers == ["Interviewer", "P01"]
    rest = list(results)
    assert [(r.filename, r.transcript.format) for r in rest] == [
        ("batch.zip/study/P02.docx", "docx"),
        ("batch.zip/study/P03.pdf", "pdf"),
    ]


def test_a_bad_member_does_not_stop_the_batch():
    data = make_zip(
        {
            "P01.txt": b"Interviewer: Hi.\nP01: Hello.",
            "P02.docx": b"not a zip",
            "P03.doc": b"\xd0\xcf\x11\xe0",
            "inner.zip": make_zip({"P04.txt": b"I: hi"}),
            "P05.txt": b"Interviewer: Bye.\nP05: Bye.",
        }
    )
    results = list(iter_archive(data, "batch.zip"))
    assert [r.ok for r in results] == [True, False, False, False, True]
    assert results[1].error.filename == "batch.zip/P02.docx"
    assert results[1].error.message.startswith("This file is not a Word .docx document")
    assert results[2].error.message.startswith("Intercoder cannot import '.doc' files.")
    assert results[3].error.message == (
        "Zip files inside a zip file are not imported. Put all transcripts in one zip file."
    )
    assert results[1].to_dict()["error"]["filename"] == "batch.zip/P02.docx"


def test_a_file_object_is_accepted():
    data = make_zip({"P01.txt": b"Interviewer: Hi.\nP01: Hello."})
    assert [r.ok for r in iter_archive(io.BytesIO(data), "batch.zip")] == [True]


@pytest.mark.parametrize("name", ["/etc/passwd.txt", "C:/Users/x.txt", "a/../../x.txt", "..\\x.txt"])
def test_unsafe_names_reject_the_whole_archive(name):
    data = make_zip({"P01.txt": b"I: hi", name: b"I: hi"})
    with pytest.raises(ImportFileError, match="points outside the archive") as info:
        iter_archive(data, "batch.zip")
    assert info.value.filename == "batch.zip"


def test_too_many_members():
    data = make_zip({f"P{i:02}.txt": b"I: hi" for i in range(6)})
    options = ImportOptions(limits=ImportLimits(max_zip_members=5))
    with pytest.raises(ImportFileError, match=r"holds 6 entries; at most 5 are allowed\. Split it"):
        iter_archive(data, "batch.zip", options)


def test_declared_total_over_the_unpacked_limit():
    data = make_zip({f"P{i}.txt": b"I: hi " * 40_000 for i in range(3)}, zipfile.ZIP_STORED)
    options = ImportOptions(limits=ImportLimits(max_unpacked_bytes=500_000))
    with pytest.raises(ImportFileError, match=r"This zip file unpacks to 1 MB; at most 0 MB are allowed"):
        iter_archive(data, "batch.zip", options)


def test_archive_over_its_own_size_limit():
    options = ImportOptions(limits=ImportLimits(max_archive_bytes=100))
    with pytest.raises(ImportFileError, match=r"This zip file is 0\.0 MB; the limit is 9\.5367.e-05 MB"):
        iter_archive(make_zip({"P01.txt": b"I: hi" * 100}), "batch.zip", options)


def test_member_lying_about_its_size_is_caught_while_reading():
    data = bytearray(make_zip({"P01.txt": b"Interviewer: hi there, a long answer."}, zipfile.ZIP_STORED))
    # Shrink the declared size (local header at offset 22, central directory entry at +24) to 5 bytes.
    central = data.rfind(b"PK\x01\x02")
    data[22:26] = (5).to_bytes(4, "little")
    data[central + 24 : central + 28] = (5).to_bytes(4, "little")
    # CPython's zipfile stops at the declared size, so the CRC check then fails: the member is refused.
    (result,) = iter_archive(bytes(data), "batch.zip")
    assert result.error.message.startswith(
        "This file is damaged inside the zip and cannot be unpacked (Bad CRC-32 for file 'P01.txt')."
    )


def test_reading_more_than_declared_condemns_the_archive(monkeypatch):
    data = make_zip({"P01.txt": b"Interviewer: hi\nP01: hello"})
    results = iter_archive(data, "batch.zip")
    # Simulate a decompressor producing more than the header declared, which CPython's zipfile would not
    # normally allow: the byte count is our own second line of defence.
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, entry, *a, **k: io.BytesIO(real_open(self, entry).read() * 10)
    )
    with pytest.raises(ImportFileError, match="unpacks to more data than it declares") as info:
        next(results)
    assert info.value.filename == "batch.zip"


def test_not_a_zip():
    with pytest.raises(ImportFileError, match="This zip file is damaged or is not really a zip file"):
        iter_archive(b"hello", "batch.zip")


def test_only_system_files():
    with pytest.raises(ImportFileError, match="has no files in it that Intercoder could import"):
        iter_archive(make_zip({"__MACOSX/._a.txt": b"x", ".hidden.txt": b"x"}), "batch.zip")
