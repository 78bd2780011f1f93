"""Opening zip containers (.zip batches and .docx files) without letting them exhaust the server.

Checks, all before anything is decompressed: the number of entries, every entry's name (no path traversal),
the declared unpacked sizes (per entry and in total) and each entry's compression ratio. Declared sizes can
lie, so :func:`read_member` also counts the bytes actually produced and stops as soon as they exceed what
was declared or allowed. (CPython's ``zipfile`` itself stops at the declared size and then fails the CRC
check, so a lying header ends in an error either way.)
"""

from __future__ import annotations

import re
import zipfile
import zlib
from typing import BinaryIO

from .errors import ImportFileError
from .options import MB, ImportLimits

_CHUNK_BYTES = 1 * MB
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


def open_checked_zip(fileobj: BinaryIO, filename: str, limits: ImportLimits, *, what: str) -> zipfile.ZipFile:
    """Open ``fileobj`` as a zip and check every limit; ``what`` names the container in messages."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(
            f"This {what} is damaged or is not really a zip file, so it cannot be opened. Re-create it and "
            "upload it again.",
            filename,
        ) from None
    try:
        _check_entries(archive, filename, limits, what)
    except ImportFileError:
        archive.close()
        raise
    return archive


def _check_entries(archive: zipfile.ZipFile, filename: str, limits: ImportLimits, what: str) -> None:
    entries = archive.infolist()
    if len(entries) > limits.max_zip_members:
        raise ImportFileError(
            f"This {what} holds {len(entries):,} entries; at most {limits.max_zip_members:,} are allowed. "
            "Split it into smaller batches.",
            filename,
        )
    declared_total = 0
    for entry in entries:
        check_member_name(entry.filename, filename)
        declared_total += entry.file_size
        if (
            entry.file_size > limits.compression_ratio_floor_bytes
            and entry.file_size > limits.max_compression_ratio * max(entry.compress_size, 1)
        ):
            raise ImportFileError(
                f"This {what} was rejected because '{entry.filename}' is compressed "
                f"{entry.file_size // max(entry.compress_size, 1):,} times, far more than any real document "
                "(this is how 'zip bombs' are built). If the file is genuine, upload its members separately.",
                filename,
            )
    if declared_total > limits.max_unpacked_bytes:
        raise ImportFileError(
            f"This {what} unpacks to {declared_total / MB:,.0f} MB; at most "
            f"{limits.max_unpacked_bytes // MB:,} MB are allowed. Split it into smaller batches.",
            filename,
        )


def check_member_name(name: str, filename: str) -> None:
    """Reject entry names that would escape a target folder if anyone ever extracted the archive."""
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE_LETTER.match(path) or "\x00" in path or ".." in path.split("/"):
        raise ImportFileError(
            f"This zip file was rejected because the entry '{name}' points outside the archive (an absolute "
            "path or '..'). Zip the transcripts again from their folder and upload the new file.",
            filename,
        )


def read_member(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, filename: str, member_name: str, budget: int
) -> bytes:
    """Read one entry, counting the bytes actually produced; ``budget`` is the most it may produce.

    Producing more than declared or allowed condemns the archive (``filename``); a damaged entry (bad CRC,
    bad deflate data) is that member's problem only (``member_name``).
    """
    allowed = min(entry.file_size, budget)
    chunks = []
    produced = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                produced += len(chunk)
                if produced > allowed:
                    raise ImportFileError(
                        f"This zip file was rejected because '{entry.filename}' unpacks to more data than it "
                        "declares or than the limits allow (a sign of a 'zip bomb').",
                        filename,
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ImportFileError(
            f"This file is damaged inside the zip and cannot be unpacked ({exc}). Zip the transcripts again "
            "and upload the new file.",
            member_name,
        ) from None
    return b"".join(chunks)
