"""CSV cells that a spreadsheet will show, not run.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
programs skip before looking) is read by Excel, LibreOffice and Google Sheets as a formula: a code, case or
transcript named ``=HYPERLINK(…)`` would run when a colleague opens the export (CSV injection, OWASP). Such
cells get a leading apostrophe, which the spreadsheet shows as text and hides; numbers stay numbers. The
audit trail's CSV is the one exception (``annotate.exports.reports``): it stays byte-exact so that its hash
chain can be verified offline, and says so.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> Any:
    """``value`` as a cell a spreadsheet will not run: text starting like a formula gets a leading
    apostrophe; anything else (numbers, None, other text) is returned as it is.

    >>> cell_text("=HYPERLINK(\\"http://x\\")"), cell_text("-2 turns"), cell_text(-2), cell_text("P01")
    ('\\'=HYPERLINK("http://x")', "'-2 turns", -2, 'P01')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every text cell goes through ``cell_text``."""

    def __init__(self, file: Any, **options: Any) -> None:
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell_text(value) for value in row])
