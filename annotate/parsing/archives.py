"""Zip batches: one transcript per member, returned one at a time so a 1,000-file zip streams.

Archive-level problems (not a zip, too many entries, a path-traversal name, a zip bomb) raise
:class:`ImportFileError` from :func:`iter_archive` itself, before any member is parsed: the whole batch is
refused. A problem with one member (an unreadable .docx, an unsupported type) is reported in that member's
:class:`ArchiveMemberResult` and the batch goes on.

Skipped silently: directories, macOS resource forks (``__MACOSX/``), hidden files (any path part starting
with "."), and Windows' ``Thumbs.db``/``desktop.ini``. Zips inside the zip are refused per member: nested
archives are how recursive bombs are built, and nobody needs them for transcripts.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from .errors import ImportFileError
from .options import MB, ImportOptions
from .results import ArchiveMemberResult
from .transcripts import (
    ARCHIVE_EXTENSIONS,
    FORMAT_BY_EXTENSION,
    detect_format,
    extension_of,
    parse_bytes,
)
from .zipsafety import open_checked_zip, read_member

_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})


def iter_archive(
    source: bytes | BinaryIO, filename: str, options: ImportOptions | None = None
) -> Iterator[ArchiveMemberResult]:
    """Check the archive now, then return an iterator that parses its members one by one, in zip order.

    ``source`` is the zip's bytes or a seekable binary file (a Django ``UploadedFile`` works, and is not
    read into memory as a whole).
    """
    options = options or ImportOptions()
    limits = options.limits
    fileobj = io.BytesIO(source) if isinstance(source, bytes) else source
    size = _size_of(fileobj)
    if size == 0:
        raise ImportFileError("The zip file is empty. Check that you chose the right file.", filename)
    if size > limits.max_archive_bytes:
        raise ImportFileError(
            f"This zip file is {size / MB:.1f} MB; the limit is {limits.max_archive_bytes / MB:g} MB. Split "
            "the batch into smaller zip files.",
            filename,
        )
    archive = open_checked_zip(fileobj, filename, limits, what="zip file")
    entries = [entry for entry in archive.infolist() if not _is_skipped(entry)]
    if not entries:
        archive.close()
        raise ImportFileError(
            "This zip file has no files in it that Intercoder could import "
            f"(supported types: {', '.join(sorted(FORMAT_BY_EXTENSION))}).",
            filename,
        )
    return _members(archive, entries, filename, options)


def _members(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], filename: str, options: ImportOptions
) -> Iterator[ArchiveMemberResult]:
    limits = options.limits
    remaining = limits.max_unpacked_bytes
    with archive:
        for entry in entries:
            member_name = f"{filename}/{entry.filename}"
            try:
                fmt = _member_format(entry, member_name, limits.max_file_bytes)
                # Counting actual bytes against both the per-file and the whole-batch budget is what makes
                # a lying size header harmless; such a header condemns the whole archive, so it propagates.
                data = read_member(
                    archive, entry, filename, member_name, min(limits.max_file_bytes, remaining)
                )
                remaining -= len(data)
                transcript = parse_bytes(data, member_name, fmt, options)
            except ImportFileError as error:
                if error.filename == filename:  # raised for the archive, not the member
                    raise
                yield ArchiveMemberResult(member_name, error=error)
            else:
                yield ArchiveMemberResult(member_name, transcript=transcript)


def _member_format(entry: zipfile.ZipInfo, member_name: str, max_file_bytes: int) -> str:
    if entry.flag_bits & 0x1:
        raise ImportFileError(
            "This file is password-protected inside the zip. Zip the transcripts again without a password.",
            member_name,
        )
    if extension_of(entry.filename) in ARCHIVE_EXTENSIONS:
        raise ImportFileError(
            "Zip files inside a zip file are not imported. Put all transcripts in one zip file.", member_name
        )
    if entry.file_size > max_file_bytes:
        raise ImportFileError(
            f"This file is {entry.file_size / MB:.1f} MB; the limit is {max_file_bytes / MB:g} MB. Split the "
            "transcript into smaller files.",
            member_name,
        )
    return detect_format(member_name)


def _is_skipped(entry: zipfile.ZipInfo) -> bool:
    parts = entry.filename.replace("\\", "/").split("/")
    return (
        entry.is_dir()
        or parts[0] == "__MACOSX"
        or any(part.startswith(".") for part in parts if part)
        or parts[-1].casefold() in _SYSTEM_FILES
    )


def _size_of(fileobj: BinaryIO) -> int:
    position = fileobj.tell()
    size = fileobj.seek(0, io.SEEK_END)
    fileobj.seek(position)
    return size - position
