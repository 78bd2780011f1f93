"""Reading CSV files whose columns are named by the user (transcript rows and case attributes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from .errors import ImportFileError

_DELIMITERS = (",", ";", "\t", "|")  # ";" is what Excel writes in locales with a decimal comma


def open_csv(
    text: str, required: Sequence[str], filename: str | None, *, field_limit: int
) -> tuple[list[str], dict[str, int], Iterator[tuple[int, list[str]]]]:
    """Find the header, check that the ``required`` columns exist; return ``(header, column -> index, rows)``.

    Column names (the keys of ``column -> index``) are case-folded: they match ignoring case and
    surrounding spaces. The delimiter is the first of , ; tab | whose
    header contains every required column: the header itself tells us which one is right, so nothing is
    guessed from the data. ``rows`` yields ``(row number, cells)`` with the header as row 1, as a
    spreadsheet numbers them; blank rows are skipped.
    """
    if csv.field_size_limit() < field_limit:
        # The default (128 KB per cell) is smaller than one long interview answer can be.
        csv.field_size_limit(field_limit)
    header_line = text.split("\n", 1)[0]
    best_header: list[str] = []
    for delimiter in _DELIMITERS:
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        if len(header) > len(best_header):
            best_header = header
        columns = {name.strip().casefold(): index for index, name in reversed(list(enumerate(header)))}
        if all(name.strip().casefold() in columns for name in required):
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            next(reader)
            return header, columns, _rows(reader, filename)
    found = ", ".join(f"'{name.strip()}'" for name in best_header if name.strip()) or "none"
    wanted = " and ".join(f"'{name}'" for name in required)
    raise ImportFileError(
        f"The CSV file needs columns named {wanted}, but its first row has {found}. Rename the columns in "
        "the file, or tell the import which columns to use.",
        filename,
    )


def _rows(reader: Iterator[list[str]], filename: str | None) -> Iterator[tuple[int, list[str]]]:
    row_number = 1
    try:
        for row in reader:
            row_number += 1
            if any(cell.strip() for cell in row):
                yield row_number, row
    except csv.Error as exc:
        raise ImportFileError(
            f"The CSV file cannot be read after row {row_number} ({exc}). Check for an unclosed quote.",
            filename,
        ) from None


def cell(row: list[str], index: int | None) -> str:
    """The stripped cell at ``index``, or "" for a short row or an absent optional column."""
    if index is None or index >= len(row):
        return ""
    return row[index].strip()
