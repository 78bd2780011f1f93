"""Reading a REFI-QDA project (``.qdpx``, QDA-XML project 1.0).

Reading (``qdpx_read``) checks the archive (a zip, bounded sizes, one ``project.qde``, sources only from
``sources/``), validates ``project.qde`` against the schema and returns a ``QdpxProject`` of plain data;
``annotate.exports.qdpx_import.project_import_execute`` writes it. Tolerated: GUIDs in braces or either case,
sources with a BOM (``utf-8-sig``), CRLF or CR line ends (normalised to LF: ATLAS.ti counts CRLF as one
character, and QualCoder reads sources with universal newlines, so their offsets refer to the LF text),
a ``Sources``/``sources`` folder, inline ``PlainTextContent``. Non-text sources (PDF, pictures, audio,
video) are skipped with a warning.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, overload

from lxml import etree

from annotate.core.exceptions import ApplicationError

from .refi import project_schema, q

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


@dataclass
class QdpxLimits:
    max_members: int = 10_000
    max_unpacked_bytes: int = 500 * 1024 * 1024
    max_qde_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 200  # compressed → uncompressed, for members above 1 MB


@dataclass
class Selection:
    start: int
    end: int
    user: str | None
    codes: list[tuple[str, str | None]]  # (code guid, coding user guid)
    notes: list[str] = field(default_factory=list)


@dataclass
class Source:
    guid: str
    name: str
    text: str
    user: str | None
    selections: list[Selection]


@dataclass
class QdpxProject:
    name: str
    users: dict[str, str]  # guid -> name
    codebook_xml: bytes | None
    variables: list[dict[str, str]]  # {"guid", "name", "type"}
    cases: list[
        dict[str, Any]
    ]  # {"guid", "name", "description", "values": {var guid: str}, "sources": [guid]}
    sources: list[Source]
    notes: dict[str, dict[str, Any]]  # guid -> {"text", "user", "name"}
    code_notes: dict[str, list[str]]  # code guid -> note guids
    project_notes: list[str]
    warnings: list[str]


@overload
def guid_norm(value: str) -> str: ...
@overload
def guid_norm(value: None) -> None: ...
@overload
def guid_norm(value: str | None) -> str | None: ...
def guid_norm(value: str | None) -> str | None:
    if value is None:
        return None
    match = _GUID.match(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


def _required(element: etree._Element, name: str) -> str:
    """An attribute that the project schema requires (``qdpx_read`` validates the document first)."""
    value = element.get(name)
    assert value is not None
    return value


def _coded_guid(coding: etree._Element) -> str:
    """The guid of the code a ``<Coding>`` applies: its ``<CodeRef targetGUID>``, both required."""
    ref = coding.find(q("CodeRef"))
    assert ref is not None
    return guid_norm(_required(ref, "targetGUID"))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read a member, refusing more than ``limit`` bytes whatever its header claims (a zip bomb can lie)."""
    out = bytearray()
    with zf.open(info) as f:
        while chunk := f.read(1024 * 1024):
            out += chunk
            if len(out) > limit:
                raise ApplicationError(f"{info.filename} unpacks to more than {limit // (1024 * 1024)} MB.")
    return bytes(out)


def _check_archive(zf: zipfile.ZipFile, limits: QdpxLimits) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ApplicationError(
            f"The archive has {len(infos)} members; at most {limits.max_members} are accepted."
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ApplicationError(
                f"{info.filename} expands {info.file_size // max(info.compress_size, 1)}-fold: refused as a "
                "possible zip bomb."
            )
    if total > limits.max_unpacked_bytes:
        raise ApplicationError(
            f"The archive unpacks to {total // (1024 * 1024)} MB; at most "
            f"{limits.max_unpacked_bytes // (1024 * 1024)} MB are accepted."
        )
    return infos


def _decode_source(data: bytes, where: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(f"{where} is not UTF-8 text (byte {exc.start}).") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ApplicationError(f"{where} contains NUL characters; it is not a text file.")
    return text


def qdpx_read(path: Path, limits: QdpxLimits | None = None) -> QdpxProject:
    limits = limits or QdpxLimits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ApplicationError(f"The file is not a .qdpx (zip) archive: {exc}.") from exc
    with zf:
        infos = _check_archive(zf, limits)
        qdes = [
            i for i in infos if PurePosixPath(i.filename).name.lower() == "project.qde" and not i.is_dir()
        ]
        if not qdes:
            raise ApplicationError("The archive has no project.qde.")
        if len(qdes) > 1:
            raise ApplicationError("The archive has more than one project.qde.")
        prefix = str(PurePosixPath(qdes[0].filename).parent)
        prefix = "" if prefix == "." else prefix + "/"
        members = {i.filename.lower(): i for i in infos if not i.is_dir()}
        data = _read_member(zf, qdes[0], limits.max_qde_bytes)
        parser = etree.XMLParser(
            resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True
        )
        try:
            root = etree.fromstring(data, parser=parser)
        except etree.XMLSyntaxError as exc:
            raise ApplicationError(f"project.qde is not well-formed XML: {exc}.") from exc
        if root.getroottree().docinfo.internalDTD is not None:
            raise ApplicationError("project.qde declares a DTD; a REFI-QDA project has none.")
        schema = project_schema()
        if not schema.validate(root):
            # lxml's error logs have last_error; lxml-stubs leave it out.
            error = schema.error_log.last_error  # type: ignore[attr-defined]
            raise ApplicationError(
                f"project.qde does not follow the REFI-QDA project schema: line {error.line}: {error.message}"
            )

        def source_text(ts, where: str, budget: list[int]) -> str | None:
            content = ts.find(q("PlainTextContent"))
            if content is not None and content.text is not None:
                return content.text.replace("\r\n", "\n").replace("\r", "\n")
            ref = ts.get("plainTextPath")
            if not ref:
                return None
            if not ref.startswith("internal://"):
                raise ApplicationError(
                    f"{where}: plainTextPath {ref!r} points outside the archive's sources/ folder."
                )
            name = ref[len("internal://") :]
            if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
                raise ApplicationError(
                    f"{where}: plainTextPath {ref!r} points outside the archive's sources/ folder."
                )
            info = members.get(f"{prefix}sources/{name}".lower())
            if info is None:
                raise ApplicationError(f"{where}: sources/{name} is not in the archive.")
            raw = _read_member(zf, info, budget[0])
            budget[0] -= len(raw)
            return _decode_source(raw, f"sources/{name}")

        warnings: list[str] = []
        users = {
            guid_norm(_required(u, "guid")): (u.get("name") or "").strip() or _required(u, "guid")
            for u in root.iter(q("User"))
        }
        codebook = root.find(q("CodeBook"))
        codebook_xml = None
        code_notes: dict[str, list[str]] = {}
        if codebook is not None:
            for code in codebook.iter(q("Code")):
                refs = [guid_norm(_required(n, "targetGUID")) for n in code.findall(q("NoteRef"))]
                if refs:
                    code_notes[guid_norm(_required(code, "guid"))] = refs
            codebook_xml = etree.tostring(codebook)
        variables = [
            {
                "guid": guid_norm(_required(v, "guid")),
                "name": _required(v, "name"),
                "type": _required(v, "typeOfVariable"),
            }
            for v in root.iterfind(f"{q('Variables')}/{q('Variable')}")
        ]
        cases = []
        for c in root.iterfind(f"{q('Cases')}/{q('Case')}"):
            values = {}
            for vv in c.findall(q("VariableValue")):
                ref = vv.find(q("VariableRef"))
                value = next((child for child in vv if child.tag != q("VariableRef")), None)
                if ref is not None and value is not None and value.text is not None:
                    values[guid_norm(ref.get("targetGUID"))] = value.text.strip()
            description = c.find(q("Description"))
            cases.append(
                {
                    "guid": guid_norm(c.get("guid")),
                    "name": (c.get("name") or "").strip(),
                    "description": description.text if description is not None and description.text else "",
                    "values": values,
                    "sources": [guid_norm(s.get("targetGUID")) for s in c.findall(q("SourceRef"))],
                }
            )
        budget = [limits.max_unpacked_bytes]
        sources: list[Source] = []
        sources_el = root.find(q("Sources"))
        for element in sources_el if sources_el is not None else []:
            kind = etree.QName(element).localname
            name = element.get("name") or _required(element, "guid")
            if kind != "TextSource":
                warnings.append(f"{kind} {name!r} skipped: only text sources are imported.")
                continue
            where = f"TextSource {name!r}"
            text = source_text(element, where, budget)
            if text is None:
                warnings.append(f"{where} skipped: it has no plain text (plainTextPath or PlainTextContent).")
                continue
            owner = guid_norm(element.get("creatingUser"))
            selections = []
            for sel in element.findall(q("PlainTextSelection")):
                start, end = int(_required(sel, "startPosition")), int(_required(sel, "endPosition"))
                if start > end:
                    start, end = end, start
                if start < 0 or end > len(text):
                    raise ApplicationError(
                        f"{where}: selection [{start}, {end}) lies outside the text ({len(text)} characters)."
                    )
                sel_user = guid_norm(sel.get("creatingUser")) or owner
                codes = [
                    (_coded_guid(c), guid_norm(c.get("creatingUser")) or sel_user)
                    for c in sel.findall(q("Coding"))
                ]
                sel_notes = [guid_norm(_required(n, "targetGUID")) for n in sel.findall(q("NoteRef"))]
                if start == end:
                    if codes or sel_notes:
                        warnings.append(f"{where}: an empty selection at {start} skipped.")
                    continue
                selections.append(Selection(start, end, sel_user, codes, sel_notes))
            whole = [
                (_coded_guid(c), guid_norm(c.get("creatingUser")) or owner)
                for c in element.findall(q("Coding"))
            ]
            if whole and text:
                selections.append(Selection(0, len(text), owner, whole))
            sources.append(Source(guid_norm(_required(element, "guid")), name, text, owner, selections))
        notes: dict[str, dict[str, Any]] = {}
        for n in root.iterfind(f"{q('Notes')}/{q('Note')}"):
            where = f"Note {n.get('name') or n.get('guid')!r}"
            text = source_text(n, where, budget)
            if text and text.strip():
                notes[guid_norm(_required(n, "guid"))] = {
                    "text": text,
                    "user": guid_norm(n.get("creatingUser")),
                    "name": n.get("name") or "",
                }
        project_notes = [guid_norm(_required(n, "targetGUID")) for n in root.findall(q("NoteRef"))]
    return QdpxProject(
        name=root.get("name") or "",
        users=users,
        codebook_xml=codebook_xml,
        variables=variables,
        cases=cases,
        sources=sources,
        notes=notes,
        code_notes=code_notes,
        project_notes=project_notes,
        warnings=warnings,
    )


def segments_for(text: str, selections: list[Selection]) -> list[tuple[int, int]]:
    """Paragraphs (blank-line separated, trimmed), merged wherever a selection crosses a boundary, plus any
    selection lying between paragraphs: every selection then falls inside exactly one segment."""
    intervals: list[tuple[int, int]] = []
    position = 0
    for block in text.split("\n\n"):
        stripped = block.strip()
        if stripped:
            start = position + block.index(stripped)
            intervals.append((start, start + len(stripped)))
        position += len(block) + 2
    intervals += [(s.start, s.end) for s in selections]
    intervals.sort()
    merged: list[list[int]] = []
    for start, end in intervals:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]
