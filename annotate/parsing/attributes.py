"""Case attributes from a CSV: one row per participant (case), typed columns.

The user maps each attribute column to a type (:class:`AttributeType`); the participant id column is
required and unique. Every cell is checked, and all problems (up to :data:`MAX_REPORTED_PROBLEMS`) are
reported together, each naming its row and column, so a researcher can fix the sheet in one pass. Rows are
numbered as a spreadsheet numbers them: the header is row 1.

Types:

* ``text``: the cell, trimmed.
* ``number``: ``12``, ``-3.5``, ``1e3`` (an ``int`` when written without a point or exponent). Thousands
  separators and decimal commas are refused rather than guessed ("1,234" could be either).
* ``date``: ``YYYY-MM-DD`` (ISO 8601) unless another ``date_format`` is given. "03/04/2021" is refused:
  it is a different day in the US and in Europe.
* ``choice``: one of the allowed values when they are given (exact match after trimming); otherwise the
  distinct values found become the choices.

An empty cell is a missing value (``None``) for every type.
"""

from __future__ import annotations

import datetime
import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .errors import ImportFileError
from .normalise import decode_bytes, normalise_text
from .options import ImportOptions
from .tabular import cell, open_csv
from .transcripts import read_limited

MAX_REPORTED_PROBLEMS = 20
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")

AttributeValue = str | int | float | datetime.date | None


class AttributeType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class CaseAttributes:
    participant_id: str
    values: dict[str, AttributeValue]
    row: int
    """Spreadsheet row number (header = 1), for messages that point back to the file."""

    def to_dict(self) -> dict[str, Any]:
        values = {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in self.values.items()
        }
        return {"participant_id": self.participant_id, "values": values, "row": self.row}


@dataclass(slots=True)
class CaseAttributeTable:
    id_column: str
    column_types: dict[str, AttributeType]
    cases: list[CaseAttributes]
    choices: dict[str, list[str]] = field(default_factory=dict)
    """For each choice column: the allowed values (given, or found in the file in order of appearance)."""
    ignored_columns: list[str] = field(default_factory=list)
    """Columns of the file that were not mapped to a type, so were not imported."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id_column": self.id_column,
            "column_types": {name: kind.value for name, kind in self.column_types.items()},
            "choices": {name: list(values) for name, values in self.choices.items()},
            "ignored_columns": list(self.ignored_columns),
            "cases": [case.to_dict() for case in self.cases],
        }


def parse_case_attributes(
    source: bytes | BinaryIO,
    filename: str,
    *,
    column_types: Mapping[str, AttributeType | str],
    id_column: str = "participant_id",
    choices: Mapping[str, Sequence[str]] | None = None,
    date_format: str = "%Y-%m-%d",
    options: ImportOptions | None = None,
) -> CaseAttributeTable:
    """Read a case-attribute CSV; raise :class:`ImportFileError` listing every bad cell."""
    options = options or ImportOptions()
    types = _attribute_types(column_types, id_column)
    allowed = {name: [value.strip() for value in values] for name, values in (choices or {}).items()}
    for name in allowed:
        if types.get(name) is not AttributeType.CHOICE:
            raise ImportFileError(f"Choices were given for '{name}', which is not a choice column.", filename)

    data = read_limited(source, filename, options.limits.max_file_bytes)
    raw, _encoding = decode_bytes(data, filename, options.encoding)
    text = normalise_text(raw)
    if not text.strip():
        raise ImportFileError("The file is empty. Check that you chose the right file.", filename)
    header, columns, rows = open_csv(
        text, [id_column, *types], filename, field_limit=options.limits.max_file_bytes
    )
    id_index = columns[id_column.strip().casefold()]
    indexes = {name: columns[name.strip().casefold()] for name in types}
    mapped = {id_column.strip().casefold(), *(name.strip().casefold() for name in types)}

    problems: list[str] = []
    cases: list[CaseAttributes] = []
    first_row_of: dict[str, int] = {}
    found_choices: dict[str, dict[str, None]] = {name: {} for name, kind in types.items() if kind == "choice"}
    for row_number, row in rows:
        participant = cell(row, id_index)
        if not participant:
            problems.append(f"Row {row_number}, column '{id_column}': the participant id is missing.")
            continue
        if participant in first_row_of:
            problems.append(
                f"Row {row_number}, column '{id_column}': participant '{participant}' already appears on "
                f"row {first_row_of[participant]}."
            )
            continue
        first_row_of[participant] = row_number
        values: dict[str, AttributeValue] = {}
        for name, kind in types.items():
            raw_value = cell(row, indexes[name])
            try:
                values[name] = _convert(raw_value, kind, allowed.get(name), date_format)
            except ValueError as exc:
                problems.append(f"Row {row_number}, column '{name}': {exc}")
                continue
            if kind is AttributeType.CHOICE and raw_value and name not in allowed:
                found_choices[name].setdefault(raw_value, None)
        cases.append(CaseAttributes(participant, values, row_number))

    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        summary = (
            f"{len(problems)} problem(s) in the case attributes; correct them and upload the file again:"
        )
        listing = "\n".join(f"- {problem}" for problem in shown)
        if more:
            listing += f"\n- ... and {more} more"
        raise ImportFileError(f"{summary}\n{listing}", filename, problems=problems)
    if not cases:
        raise ImportFileError("The case-attribute file has a header but no participants.", filename)

    ignored = [name.strip() for name in header if name.strip() and name.strip().casefold() not in mapped]
    return CaseAttributeTable(
        id_column=id_column,
        column_types=types,
        cases=cases,
        choices={name: allowed.get(name) or list(found_choices[name]) for name in found_choices},
        ignored_columns=ignored,
    )


def _attribute_types(
    column_types: Mapping[str, AttributeType | str], id_column: str
) -> dict[str, AttributeType]:
    types = {}
    for name, kind in column_types.items():
        try:
            types[name] = AttributeType(kind)
        except ValueError:
            options = ", ".join(repr(item.value) for item in AttributeType)
            message = f"Unknown type {kind!r} for column '{name}'. Choose one of {options}."
            raise ImportFileError(message) from None
    if id_column.strip().casefold() in {name.strip().casefold() for name in types}:
        raise ImportFileError(f"'{id_column}' is the participant id column; it cannot also be an attribute.")
    return types


def _convert(value: str, kind: AttributeType, allowed: list[str] | None, date_format: str) -> AttributeValue:
    if not value:
        return None
    if kind is AttributeType.TEXT:
        return value
    if kind is AttributeType.NUMBER:
        return _number(value)
    if kind is AttributeType.DATE:
        try:
            return datetime.datetime.strptime(value, date_format).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            example = datetime.date(2021, 11, 8).strftime(date_format)
            raise ValueError(f"'{value}' is not a date written like {example}.") from None
    if allowed is not None and value not in allowed:
        near = [choice for choice in allowed if choice.casefold() == value.casefold()]
        hint = f" Did you mean '{near[0]}'?" if near else f" Allowed: {', '.join(repr(c) for c in allowed)}."
        raise ValueError(f"'{value}' is not one of the choices.{hint}")
    return value


def _number(value: str) -> int | float:
    if not _NUMBER.fullmatch(value):
        hint = " Write numbers without thousands separators and with a decimal point." if "," in value else ""
        raise ValueError(f"'{value}' is not a number.{hint}")
    if re.fullmatch(r"[-+]?\d+", value):
        return int(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"'{value}' is too large to be a number.")
    return number
