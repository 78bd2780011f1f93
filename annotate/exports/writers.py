"""Streaming table writers: CSV, XLSX (openpyxl write-only mode) and JSON Lines. Rows are written as they
come, so memory stays flat whatever the number of rows.

- CSV: UTF-8 with a byte-order mark (spreadsheet programs then read accents right), CRLF; a text cell that a
  spreadsheet would run as a formula (starting with = + - @) gets a leading apostrophe
  (``annotate.core.spreadsheets``), unless the caller keeps the cells exact (the audit trail, whose hash
  chain is verified from them).
- XLSX: one sheet, a bold-free header row, text cells typed as text: a cell starting with "=" is stored as
  a string, never as a formula. Characters XML cannot carry are dropped and cells longer than Excel's
  32,767-character limit are cut (with a marker), the only two changes to the text.
- JSON Lines: one JSON object per row, keys as the CSV header, UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from annotate.core.spreadsheets import SafeCsvWriter

XLSX_MAX_CELL = 32_767
_TRUNCATED = " […truncated]"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


class TableWriter:
    """``with TableWriter(path, fmt, columns) as w: w.write(values)``; ``rows`` counts the data rows."""

    def __init__(self, path: Path, fmt: str, columns: list[str], *, exact_csv: bool = False) -> None:
        self.path, self.fmt, self.columns, self.rows = path, fmt, columns, 0
        self.exact_csv = exact_csv
        self._file: io.TextIOWrapper | None = None
        self._wb: Workbook | None = None

    def __enter__(self) -> TableWriter:
        if self.fmt == "csv":
            self._file = io.open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: UP020
            writer = csv.writer if self.exact_csv else SafeCsvWriter
            self._csv = writer(self._file, lineterminator="\r\n")
            self._csv.writerow(self.columns)
        elif self.fmt == "jsonl":
            self._file = io.open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: UP020
        elif self.fmt == "xlsx":
            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet("export")
            self._ws.append(self.columns)
        else:
            raise ValueError(f"unknown table format {self.fmt!r}")
        return self

    def write(self, values: list[Any]) -> None:
        self.rows += 1
        if self.fmt == "csv":
            # The csv module writes None as "" and dates as ISO 8601; callers pass datetimes as ISO text.
            self._csv.writerow(values)
        elif self.fmt == "jsonl":
            assert self._file is not None  # __enter__ opened it
            self._file.write(
                json.dumps(
                    dict(zip(self.columns, values, strict=True)), ensure_ascii=False, default=_json_default
                )
            )
            self._file.write("\n")
        else:
            self._ws.append([self._xlsx_cell(v) for v in values])

    def _xlsx_cell(self, value: Any) -> Any:
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()  # Excel has no time zones: keep the UTC offset as text
        if not isinstance(value, str):
            return value
        if not value:
            return None  # an empty cell either way; openpyxl skips None cells, which is most of the cost
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > XLSX_MAX_CELL:
            value = value[: XLSX_MAX_CELL - len(_TRUNCATED)] + _TRUNCATED
        if value.startswith("="):
            cell = WriteOnlyCell(self._ws, value=value)
            cell.data_type = "s"  # text, never a formula
            return cell
        return value

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._file is not None:
            self._file.close()
        if self._wb is not None:
            if exc_type is None:
                self._wb.save(self.path)
            else:
                self._wb.close()
