"""REFI-QDA project exchange (``.qdpx``, QDA-XML project 1.0): writing a project, reading one.

Writing (``qdpx_write``) streams ``project.qde`` with ``lxml.etree.xmlfile`` to a temporary file while the
sources go into the zip one by one; only the lookup tables and the final coding's (document, span, code)
tuples are held in memory. What goes in:

- ``Users``: every member and every coder, plus the final (adjudicated) coding as its own user
  ``final (adjudicated)``;
- ``CodeBook``: the codebook engineer's ``.qdc`` writer (``annotate.codebook.exchange``), re-homed in the
  project namespace: hierarchy, GUIDs, colours, and a Description holding the definition, inclusion,
  exclusion and examples; code memos as ``NoteRef``;
- ``Variables`` / ``Cases``: case attributes (number → Float, date → Date, text and choice → Text) and
  cases with their values and the sources they hold;
- ``Sources``: one ``TextSource`` per transcript, ``plainTextPath="internal://<GUID>.txt"``, the file in
  ``sources/`` as UTF-8 without BOM, exactly the text the offsets refer to (code points, half-open). One
  ``PlainTextSelection`` per (user, span): a segment-level coding selects the whole segment; each code is
  a ``Coding`` with ``creatingUser``. Segment memos hang on a selection of their segment;
- ``Notes``: every memo; project memos are also referenced from the project.

GUIDs are derived (UUID 5) from the project and row ids, so exporting twice gives the same GUIDs; codes
carry their own stored GUID.

Reading (``qdpx_read``) checks the archive (a zip, bounded sizes, one ``project.qde``, sources only from
``sources/``), validates ``project.qde`` against the schema and returns a ``QdpxProject`` of plain data;
``annotate.exports.services.project_import_execute`` writes it. Tolerated: GUIDs in braces or either case,
sources with a BOM (``utf-8-sig``), CRLF or CR line ends (normalised to LF: ATLAS.ti counts CRLF as one
character, and QualCoder reads sources with universal newlines, so their offsets refer to the LF text),
a ``Sources``/``sources`` folder, inline ``PlainTextContent``. Non-text sources (PDF, pictures, audio,
video) are skipped with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils import timezone
from lxml import etree

from annotate.codebook.exchange import codebook_qdc_render
from annotate.codebook.models import Code
from annotate.codebook.selectors import codebook_export_codes
from annotate.coding.models import Coding
from annotate.core.exceptions import ApplicationError
from annotate.memos.models import Memo

from .selectors import final_coding_rows

NS = "urn:QDA-XML:project:1.0"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "Project-mrt2019.xsd"
GUID_NAMESPACE = uuid.UUID("5a1c3f1e-2b8e-4b8e-9a57-6f0c1e0d1c17")
FINAL_USER_LABEL = "final (adjudicated)"
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def guid_for(project_id: int, kind: str, *key: Any) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join(map(str, (project_id, kind, *key)))))


def xml_text(value: str) -> str:
    return _XML_INVALID.sub("", value)


def xml_datetime(value: dt.datetime | None) -> str:
    value = value or timezone.now()
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1)
def project_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


# --- writing -------------------------------------------------------------------------------------------


def _codebook_element(project_id: int, codebook, code_memos: dict[int, list[int]]):
    """The codebook engineer's .qdc, re-homed from the codebook namespace into the project namespace,
    with ``NoteRef``s to code memos (after the Description, before the sub-codes, as the schema orders)."""

    codes = codebook_export_codes(codebook=codebook)
    if not codes:
        return None
    root = etree.fromstring(codebook_qdc_render(codes))
    code_ids = {str(g): pk for pk, g in Code.objects.filter(codebook=codebook).values_list("id", "guid")}
    for element in root.iter():
        element.tag = q(etree.QName(element).localname)
        if etree.QName(element).localname == "Code":
            memos = code_memos.get(code_ids.get(element.get("guid")), [])
            if memos:
                index = 1 if len(element) and etree.QName(element[0]).localname == "Description" else 0
                for offset, memo_id in enumerate(memos):
                    ref = etree.Element(q("NoteRef"), targetGUID=guid_for(project_id, "memo", memo_id))
                    element.insert(index + offset, ref)
    etree.cleanup_namespaces(root)
    codebook_element = etree.Element(q("CodeBook"), nsmap={None: NS})
    codebook_element.append(root.find(q("Codes")))
    return codebook_element


_VARIABLE_TYPES = {"number": "Float", "date": "Date", "text": "Text", "choice": "Text"}
_VALUE_ELEMENTS = {"Float": "FloatValue", "Date": "DateValue", "Text": "TextValue"}


def qdpx_write(path: Path, project, tables, *, progress=None) -> int:
    """Write the project to ``path`` (a zip); return the number of codings written (raw + final)."""

    pid = project.id
    codebook = project.codebook
    final_user = guid_for(pid, "user", "final")
    user_guid = {uid: guid_for(pid, "user", uid) for uid in tables.users}
    # The final coding, grouped by document as small tuples (the selector has no per-document filter).
    finals: dict[int, list[tuple]] = defaultdict(list)
    for r in final_coding_rows(project_id=pid):
        finals[r.document_id].append(
            (r.segment_id, r.start_offset, r.end_offset, r.span_start, r.span_end, r.code_id, r.coded_at)
        )
    code_guid = {cid: str(c["guid"]) for cid, c in tables.codes.items()}
    memo_rows = Memo.objects.filter(project_id=pid).values_list("id", "code_id", "segment_id", "case_id")
    code_memos: dict[int, list[int]] = defaultdict(list)
    project_memos: list[int] = []
    for memo_id, code_id, segment_id, case_id in memo_rows.iterator():
        if code_id:
            code_memos[code_id].append(memo_id)
        elif not segment_id and not case_id:
            project_memos.append(memo_id)
    written = 0
    docs_by_case: dict[int, list[int]] = defaultdict(list)
    for doc in tables.documents.values():
        docs_by_case[doc["case_id"]].append(doc["id"])

    qde = Path(tempfile.mkstemp(dir=path.parent, suffix=".qde")[1])
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as zf:
            with etree.xmlfile(str(qde), encoding="utf-8") as xf:
                xf.write_declaration()
                attrs = {
                    "name": xml_text(project.name),
                    "origin": "Intercoder",
                    "creatingUserGUID": user_guid.get(project.created_by_id, final_user),
                    "creationDateTime": xml_datetime(project.created_at),
                    "modifiedDateTime": xml_datetime(None),
                }
                with xf.element(q("Project"), attrs, nsmap={None: NS}):
                    with xf.element(q("Users")):
                        for uid, name in sorted(tables.users.items()):
                            xf.write(
                                etree.Element(
                                    q("User"), guid=user_guid[uid], name=xml_text(name), id=str(uid)
                                )
                            )
                        xf.write(etree.Element(q("User"), guid=final_user, name=FINAL_USER_LABEL, id="final"))
                    cb = _codebook_element(pid, codebook, code_memos)
                    if cb is not None:
                        xf.write(cb)
                    if tables.attributes:
                        with xf.element(q("Variables")):
                            for a in tables.attributes:
                                xf.write(
                                    etree.Element(
                                        q("Variable"),
                                        guid=guid_for(pid, "attribute", a["id"]),
                                        name=xml_text(a["name"]),
                                        typeOfVariable=_VARIABLE_TYPES[a["type"]],
                                    )
                                )
                    if tables.cases:
                        with xf.element(q("Cases")):
                            for case_id, case in tables.cases.items():
                                el = etree.Element(
                                    q("Case"),
                                    guid=guid_for(pid, "case", case_id),
                                    name=xml_text(case["identifier"]),
                                )
                                if case["description"]:
                                    etree.SubElement(el, q("Description")).text = xml_text(
                                        case["description"]
                                    )
                                for a in tables.attributes:
                                    value = tables.case_values.get(case_id, {}).get(a["id"])
                                    if value is None:
                                        continue
                                    vv = etree.SubElement(el, q("VariableValue"))
                                    etree.SubElement(
                                        vv, q("VariableRef"), targetGUID=guid_for(pid, "attribute", a["id"])
                                    )
                                    kind = _VARIABLE_TYPES[a["type"]]
                                    text = repr(value) if kind == "Float" else str(value)
                                    etree.SubElement(vv, q(_VALUE_ELEMENTS[kind])).text = xml_text(text)
                                for doc_id in docs_by_case.get(case_id, []):
                                    etree.SubElement(
                                        el, q("SourceRef"), targetGUID=guid_for(pid, "document", doc_id)
                                    )
                                xf.write(el)
                    if tables.documents:
                        with xf.element(q("Sources")):
                            for n_doc, doc in enumerate(tables.documents.values(), start=1):
                                written += _write_source(
                                    xf,
                                    zf,
                                    pid,
                                    doc,
                                    tables,
                                    user_guid,
                                    final_user,
                                    code_guid,
                                    finals.pop(doc["id"], []),
                                    Coding,
                                    Memo,
                                )
                                if progress is not None:
                                    progress(n_doc / len(tables.documents))
                    memos = Memo.objects.filter(project_id=pid).order_by("id")
                    if memos.exists():
                        with xf.element(q("Notes")):
                            for m in memos.values(
                                "id", "author_id", "text", "created_at", "segment_id", "code_id", "case_id"
                            ).iterator():
                                target = (
                                    f"code {tables.code_paths.get(m['code_id'], '')}"
                                    if m["code_id"]
                                    else f"segment {m['segment_id']}"
                                    if m["segment_id"]
                                    else f"case {tables.cases[m['case_id']]['identifier']}"
                                    if m["case_id"]
                                    else "the project"
                                )
                                note = etree.Element(
                                    q("Note"),
                                    guid=guid_for(pid, "memo", m["id"]),
                                    name=xml_text(f"Memo on {target}")[:200],
                                    creatingUser=user_guid.get(m["author_id"], final_user),
                                    creationDateTime=xml_datetime(m["created_at"]),
                                )
                                etree.SubElement(note, q("PlainTextContent")).text = xml_text(m["text"])
                                xf.write(note)
                    if project.description:
                        el = etree.Element(q("Description"))
                        el.text = xml_text(project.description)
                        xf.write(el)
                    for memo_id in project_memos:
                        xf.write(etree.Element(q("NoteRef"), targetGUID=guid_for(pid, "memo", memo_id)))
            zf.write(qde, "project.qde")
    finally:
        qde.unlink(missing_ok=True)
    return written


def _write_source(xf, zf, pid, doc, tables, user_guid, final_user, code_guid, finals, Coding, Memo) -> int:
    doc_guid = guid_for(pid, "document", doc["id"])
    text = tables.text(doc["id"])
    zf.writestr(f"sources/{doc_guid}.txt", text.encode("utf-8"))
    # selection key (user guid, start, end) -> [(coding guid, code guid, created)]
    selections: dict[tuple[str, int, int], list[tuple[str, str, Any]]] = defaultdict(list)
    rows = (
        Coding.objects.filter(segment__document_id=doc["id"])
        .order_by("segment__position", "coder_id", "span_start", "id")
        .values_list(
            "id",
            "coder_id",
            "code_id",
            "span_start",
            "span_end",
            "segment__start_offset",
            "segment__end_offset",
            "created_at",
        )
    )
    count = 0
    for cid, coder_id, code_id, ss, se, s0, s1, created in rows.iterator(chunk_size=5000):
        start, end = (ss, se) if ss is not None else (s0, s1)
        selections[(user_guid[coder_id], start, end)].append(
            (guid_for(pid, "coding", cid), code_guid[code_id], created)
        )
        count += 1
    for seg_id, s0, s1, ss, se, code_id, decided in finals:
        start, end = (ss, se) if ss is not None else (s0, s1)
        selections[(final_user, start, end)].append(
            (guid_for(pid, "final", seg_id, code_id, start, end), code_guid[code_id], decided)
        )
        count += 1
    segment_memos: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for memo_id, author_id, s0, s1 in Memo.objects.filter(segment__document_id=doc["id"]).values_list(
        "id", "author_id", "segment__start_offset", "segment__end_offset"
    ):
        segment_memos[(user_guid.get(author_id, final_user), s0, s1)].append(memo_id)
    with xf.element(
        q("TextSource"),
        {
            "guid": doc_guid,
            "name": xml_text(doc["title"]),
            "plainTextPath": f"internal://{doc_guid}.txt",
            "creatingUser": user_guid.get(doc["created_by_id"], final_user),
        },
    ):
        keys = sorted(set(selections) | set(segment_memos), key=lambda k: (k[1], k[2], k[0]))
        for key in keys:
            user, start, end = key
            sel = etree.Element(
                q("PlainTextSelection"),
                guid=guid_for(pid, "selection", doc["id"], user, start, end),
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=user,
            )
            for coding_guid, cg, created in selections.get(key, []):
                coding = etree.SubElement(
                    sel,
                    q("Coding"),
                    guid=coding_guid,
                    creatingUser=user,
                    creationDateTime=xml_datetime(created),
                )
                etree.SubElement(coding, q("CodeRef"), targetGUID=cg)
            for memo_id in segment_memos.get(key, []):
                etree.SubElement(sel, q("NoteRef"), targetGUID=guid_for(pid, "memo", memo_id))
            xf.write(sel)
    return count


# --- reading -------------------------------------------------------------------------------------------


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


def guid_norm(value: str | None) -> str | None:
    if value is None:
        return None
    match = _GUID.match(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


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
            error = schema.error_log.last_error
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
            guid_norm(u.get("guid")): (u.get("name") or "").strip() or u.get("guid")
            for u in root.iter(q("User"))
        }
        codebook = root.find(q("CodeBook"))
        codebook_xml = None
        code_notes: dict[str, list[str]] = {}
        if codebook is not None:
            for code in codebook.iter(q("Code")):
                refs = [guid_norm(n.get("targetGUID")) for n in code.findall(q("NoteRef"))]
                if refs:
                    code_notes[guid_norm(code.get("guid"))] = refs
            codebook_xml = etree.tostring(codebook)
        variables = [
            {"guid": guid_norm(v.get("guid")), "name": v.get("name"), "type": v.get("typeOfVariable")}
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
            name = element.get("name") or element.get("guid")
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
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                if start > end:
                    start, end = end, start
                if start < 0 or end > len(text):
                    raise ApplicationError(
                        f"{where}: selection [{start}, {end}) lies outside the text ({len(text)} characters)."
                    )
                sel_user = guid_norm(sel.get("creatingUser")) or owner
                codes = [
                    (
                        guid_norm(c.find(q("CodeRef")).get("targetGUID")),
                        guid_norm(c.get("creatingUser")) or sel_user,
                    )
                    for c in sel.findall(q("Coding"))
                ]
                notes = [guid_norm(n.get("targetGUID")) for n in sel.findall(q("NoteRef"))]
                if start == end:
                    if codes or notes:
                        warnings.append(f"{where}: an empty selection at {start} skipped.")
                    continue
                selections.append(Selection(start, end, sel_user, codes, notes))
            whole = [
                (guid_norm(c.find(q("CodeRef")).get("targetGUID")), guid_norm(c.get("creatingUser")) or owner)
                for c in element.findall(q("Coding"))
            ]
            if whole and text:
                selections.append(Selection(0, len(text), owner, whole))
            sources.append(Source(guid_norm(element.get("guid")), name, text, owner, selections))
        notes = {}
        for n in root.iterfind(f"{q('Notes')}/{q('Note')}"):
            where = f"Note {n.get('name') or n.get('guid')!r}"
            text = source_text(n, where, budget)
            if text and text.strip():
                notes[guid_norm(n.get("guid"))] = {
                    "text": text,
                    "user": guid_norm(n.get("creatingUser")),
                    "name": n.get("name") or "",
                }
        project_notes = [guid_norm(n.get("targetGUID")) for n in root.findall(q("NoteRef"))]
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
