"""Codebook exchange files: CSV (one row per code) and REFI-QDA ``.qdc`` (QDA-XML codebook 1.0).

Pure functions, no ORM: exporters take ``ExportCode`` rows (pre-order, parents before children), importers
return ``ImportRow``s for ``services.codebook_import``. Every parsing problem raises ``ApplicationError``
(HTTP 400) naming the row or element, so an import is refused as a whole before anything is written.

What each format carries:

- CSV: everything: the path, every MacQueen field, colour, active flag and GUID. Cells that a spreadsheet
  would run as a formula (starting with = + - @) are written with a leading apostrophe, and one leading
  apostrophe is dropped on import. Rows may come in any order; blank ``colour``/``active``/``guid``
  cells take the defaults. Code names cannot contain ">" (the path separator).
- ``.qdc``: name, hierarchy (element nesting), sibling order, GUID, colour, ``isCodable`` (our
  ``is_active``: a deactivated code can no longer be applied) and a ``<Description>`` that holds the
  definition followed by labelled sections (see ``description_render``).
"""

import csv
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from annotate.core.exceptions import ApplicationError
from annotate.core.spreadsheets import FORMULA_START

PATH_SEPARATOR = " > "
TEXT_FIELDS = ["definition", "inclusion", "exclusion", "typical_example", "atypical_example"]
CSV_COLUMNS = ["path", *TEXT_FIELDS, "colour", "active", "guid"]
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_CODES = 5000

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
QDC_SCHEMA_LOCATION = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"

_COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
# Characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR).
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ExportCode:
    path: tuple[str, ...]
    guid: uuid.UUID
    colour: str
    is_active: bool
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    typical_example: str = ""
    atypical_example: str = ""


@dataclass
class ImportRow:
    """One code to create: its full path (the last element is its name) and its field values."""

    path: tuple[str, ...]
    where: str  # "row 3" / "<Code name='Economy'>": for error messages
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path[-1]


def path_text(path: Iterable[str]) -> str:
    return PATH_SEPARATOR.join(path)


def colour_normalise(value: str, where: str) -> str:
    """``#RRGGBB`` from ``#RRGGBB`` or the schema's short ``#RGB``; anything else is refused."""
    value = value.strip()
    if not _COLOUR.match(value):
        raise ApplicationError(f"{where}: colour {value!r} is not a hex colour like #4e79a7.")
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def guid_parse(value: str, where: str) -> uuid.UUID:
    match = _GUID.match(value.strip())
    if match is None:
        raise ApplicationError(f"{where}: {value!r} is not a GUID like 1b4e28ba-2fa1-11d2-883f-0016d3cca427.")
    return uuid.UUID(match.group(1))


# --- the Description layout ---------------------------------------------------------------------------

DESCRIPTION_LABELS = {
    "inclusion": "Inclusion",
    "exclusion": "Exclusion",
    "typical_example": "Typical example",
    "atypical_example": "Atypical example",
}
_LABELS_ALTERNATION = "|".join(map(re.escape, DESCRIPTION_LABELS.values()))
_LABEL_LINE = re.compile(rf"^({_LABELS_ALTERNATION}):[ \t]?(.*)$")
_FIELD_BY_LABEL = {label: name for name, label in DESCRIPTION_LABELS.items()}


def _escape_lines(text: str, *, first: bool = True) -> str:
    # A line of a field's own text that looks like a label (or starts with the escape) gets a backslash.
    # The first line of a labelled section follows its label, so it needs none (``first=False``).
    lines = text.split("\n")
    return "\n".join(
        "\\" + line if (first or i) and (line.startswith("\\") or _LABEL_LINE.match(line)) else line
        for i, line in enumerate(lines)
    )


def description_render(fields: dict[str, str]) -> str:
    """The definition, then one labelled section per non-empty criterion, separated by blank lines::

        Reducing the harms of drug use without requiring abstinence.

        Inclusion: Naloxone, syringe services, drug checking.

        Exclusion: Treatment mandated by a court (code as Coercive treatment).

        Typical example: "We stopped prosecuting possession of test strips."

        Atypical example: ...

    Readable as it stands in any QDA program; ``description_parse`` reads it back. A description written
    by another program (no labels) is taken whole as the definition.
    """
    parts = []
    if fields.get("definition"):
        parts.append(_escape_lines(fields["definition"]))
    for name, label in DESCRIPTION_LABELS.items():
        if fields.get(name):
            parts.append(f"{label}: {_escape_lines(fields[name], first=False)}")
    return "\n\n".join(parts)


def description_parse(text: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {"definition": []}
    current = "definition"
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = _LABEL_LINE.match(line)
        if match:
            current = _FIELD_BY_LABEL[match.group(1)]
            sections[current] = [match.group(2)]
            continue
        sections.setdefault(current, []).append(line[1:] if line.startswith("\\") else line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items() if "\n".join(lines).strip()}


# --- CSV ----------------------------------------------------------------------------------------------


def _cell_out(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) or value.startswith("'") else value


def _cell_in(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def codebook_csv_render(codes: Iterable[ExportCode]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read accents right), one row per code."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for code in codes:
        writer.writerow(
            [
                _cell_out(path_text(code.path)),
                *(_cell_out(getattr(code, name)) for name in TEXT_FIELDS),
                code.colour,
                "true" if code.is_active else "false",
                str(code.guid),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


_TRUE = {"true", "yes", "1", "y", "active"}
_FALSE = {"false", "no", "0", "n", "inactive"}


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise ApplicationError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.", status=413)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(f"The file is not UTF-8 text (byte {exc.start} is not valid UTF-8).") from exc


def codebook_csv_parse(data: bytes) -> list[ImportRow]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ApplicationError("The CSV file is empty: it needs a header row with a 'path' column.") from None
    except csv.Error as exc:
        raise ApplicationError(f"The CSV file cannot be read: {exc}.") from exc
    header = [h.strip().lower() for h in header]
    if "path" not in header:
        raise ApplicationError(f"The CSV header needs a 'path' column; it has {', '.join(header) or 'none'}.")
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ApplicationError(
            f"Unknown CSV column(s): {', '.join(unknown)}. Known columns: {', '.join(CSV_COLUMNS)}."
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ApplicationError(f"CSV column(s) given twice: {', '.join(duplicated)}.")
    rows: list[ImportRow] = []
    try:
        for number, cells in enumerate(reader, start=2):  # records, not lines: a cell may hold newlines
            where = f"Row {number}"
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ApplicationError(f"{where} has {len(cells)} cells; the header has {len(header)}.")
            values = dict(zip(header, cells, strict=True))
            path = tuple(part.strip() for part in _cell_in(values["path"]).split(PATH_SEPARATOR.strip()))
            if not all(path):
                raise ApplicationError(
                    f"{where}: path {values['path']!r} has an empty level; write it like "
                    f"'Theme{PATH_SEPARATOR}Code{PATH_SEPARATOR}Sub-code'."
                )
            row = ImportRow(path=path, where=where)
            for name in TEXT_FIELDS:
                if name in values:
                    row.fields[name] = _cell_in(values[name]).strip()
            if values.get("colour", "").strip():
                row.fields["colour"] = colour_normalise(values["colour"], where)
            active = values.get("active", "").strip().lower()
            if active:
                if active not in _TRUE | _FALSE:
                    raise ApplicationError(
                        f"{where}: active must be true or false, not {values['active']!r}."
                    )
                row.fields["is_active"] = active in _TRUE
            if values.get("guid", "").strip():
                row.fields["guid"] = guid_parse(values["guid"], where)
            rows.append(row)
            if len(rows) > MAX_IMPORT_CODES:
                raise ApplicationError(f"The file holds more than {MAX_IMPORT_CODES} codes.")
    except csv.Error as exc:
        raise ApplicationError(f"Line {reader.line_num}: the CSV cannot be read: {exc}.") from exc
    return rows


# --- REFI-QDA .qdc ------------------------------------------------------------------------------------


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub("", value)


def codebook_qdc_render(codes: list[ExportCode], *, origin: str = "Intercoder") -> bytes:
    """``<CodeBook xmlns="urn:QDA-XML:codebook:1.0">`` with the codes nested as in the codebook."""
    if not codes:
        # The schema requires at least one <Code> in <Codes>: an empty codebook has nothing to exchange.
        raise ApplicationError("The codebook has no codes to export.")
    nsmap = {None: QDC_NAMESPACE, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    # lxml takes None as the default namespace's prefix; lxml-stubs allow only strings.
    root = etree.Element(f"{{{QDC_NAMESPACE}}}CodeBook", nsmap=nsmap, origin=origin)  # type: ignore[arg-type]
    root.set(
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", f"{QDC_NAMESPACE} {QDC_SCHEMA_LOCATION}"
    )
    codes_element = etree.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")
    elements: dict[tuple[str, ...], Any] = {}
    for code in codes:
        parent = elements[code.path[:-1]] if len(code.path) > 1 else codes_element
        element = etree.SubElement(
            parent,
            f"{{{QDC_NAMESPACE}}}Code",
            guid=str(code.guid),
            name=_xml_text(code.path[-1]),
            isCodable="true" if code.is_active else "false",
            color=code.colour,
        )
        description = description_render({name: _xml_text(getattr(code, name)) for name in TEXT_FIELDS})
        if description:
            etree.SubElement(element, f"{{{QDC_NAMESPACE}}}Description").text = description
        elements[code.path] = element
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _parser() -> etree.XMLParser:
    # No DTDs, no entity expansion, no network: an uploaded file cannot read local files (XXE) or expand
    # into gigabytes ("billion laughs").
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True
    )


def codebook_qdc_parse(data: bytes) -> list[ImportRow]:
    if len(data) > MAX_IMPORT_BYTES:
        raise ApplicationError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.", status=413)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ApplicationError(f"The file is not well-formed XML: {exc}.") from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise ApplicationError("The file declares a DTD; a REFI-QDA codebook has none.")
    qname = etree.QName(root)
    if qname.localname != "CodeBook" or qname.namespace not in (QDC_NAMESPACE, PROJECT_NAMESPACE):
        raise ApplicationError(
            f"The root element is <{qname.localname}> in namespace {qname.namespace or '(none)'}; a REFI-QDA "
            f'codebook (.qdc) has <CodeBook xmlns="{QDC_NAMESPACE}">.'
        )
    ns = qname.namespace
    codes_element = root.find(f"{{{ns}}}Codes")
    if codes_element is None:
        raise ApplicationError("The <CodeBook> has no <Codes> element.")
    rows: list[ImportRow] = []

    def walk(parent, path: tuple[str, ...]) -> None:
        for element in parent.iterchildren(f"{{{ns}}}Code"):
            name = (element.get("name") or "").strip()
            where = f"<Code name={name!r}>" if name else f"<Code> on line {element.sourceline}"
            if not name:
                raise ApplicationError(f"{where} has no name.")
            if element.get("guid") is None:
                raise ApplicationError(f"{where} has no guid.")
            codable = element.get("isCodable")
            if codable not in ("true", "false", "1", "0"):
                raise ApplicationError(f"{where}: isCodable must be true or false, not {codable!r}.")
            row = ImportRow(path=(*path, name), where=where)
            row.fields["guid"] = guid_parse(element.get("guid"), where)
            row.fields["is_active"] = codable in ("true", "1")
            if element.get("color") is not None:
                row.fields["colour"] = colour_normalise(element.get("color"), where)
            description = element.find(f"{{{ns}}}Description")
            if description is not None and description.text:
                row.fields.update(description_parse(description.text))
            rows.append(row)
            if len(rows) > MAX_IMPORT_CODES:
                raise ApplicationError(f"The file holds more than {MAX_IMPORT_CODES} codes.")
            walk(element, row.path)

    walk(codes_element, ())
    return rows
