"""The one exception the import-parsing layer raises.

Every problem with an uploaded file (or with the import options chosen for it) surfaces as an
:class:`ImportFileError` whose message is written for the researcher who uploaded the file: it says what is
wrong and what to do about it, in plain language, without stack-trace vocabulary. The service layer maps it
onto the project's ``ApplicationError`` (HTTP 400) without rewording it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ImportFileError(Exception):
    """An uploaded file (or an import option) that cannot be turned into a transcript.

    Parameters
    ----------
    message:
        Plain-language explanation ending in what the user can do to fix it.
    filename:
        The uploaded file's name (for a zip member, ``"batch.zip/P07.docx"``); ``None`` when the problem is
        in the import options rather than in a file.
    problems:
        Individual problems when there are several (for example one per bad row of a case-attribute CSV);
        the message summarises them, ``problems`` lists them for an API to show one by one.
    """

    def __init__(self, message: str, filename: str | None = None, *, problems: Sequence[str] = ()) -> None:
        self.message = message
        self.filename = filename
        self.problems = tuple(problems)
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.filename}: {self.message}" if self.filename else self.message

    def __repr__(self) -> str:
        return f"ImportFileError({self.message!r}, filename={self.filename!r})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, for the preview API and for per-file results of a batch import."""
        return {"filename": self.filename, "message": self.message, "problems": list(self.problems)}
