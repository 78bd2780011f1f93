"""REFI-QDA project exchange (``.qdpx``, QDA-XML project 1.0): the shared names, and writing a project.

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
- ``Notes``: every memo; project memos are also referenced from the project;
- a secondary pass's link to its parent code: in the project's ``Description`` (the parent project and the
  code's GUID), each source's (the parent transcript) and each selection's (the parent segment copied).

GUIDs are derived (UUID 5) from the project and row ids, so exporting twice gives the same GUIDs; codes
carry their own stored GUID.

Reading one is ``refi_read``.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import uuid
import zipfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils import timezone
from lxml import etree

from annotate.codebook.exchange import codebook_qdc_render
from annotate.codebook.models import Code
from annotate.codebook.selectors import codebook_export_codes
from annotate.coding.models import Coding
from annotate.memos.models import Memo

from .selectors import final_coding_rows

NS = "urn:QDA-XML:project:1.0"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "Project-mrt2019.xsd"
GUID_NAMESPACE = uuid.UUID("5a1c3f1e-2b8e-4b8e-9a57-6f0c1e0d1c17")
FINAL_USER_LABEL = "final (adjudicated)"
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
            code_id = code_ids.get(element.get("guid", ""))
            memos = code_memos.get(code_id, []) if code_id is not None else []
            if memos:
                index = 1 if len(element) and etree.QName(element[0]).localname == "Description" else 0
                for offset, memo_id in enumerate(memos):
                    ref = etree.Element(q("NoteRef"), targetGUID=guid_for(project_id, "memo", memo_id))
                    element.insert(index + offset, ref)
    etree.cleanup_namespaces(root)
    # lxml takes None as the default namespace's prefix; lxml-stubs allow only strings.
    codebook_element = etree.Element(q("CodeBook"), nsmap={None: NS})  # type: ignore[dict-item]
    codes_element = root.find(q("Codes"))
    assert codes_element is not None  # the rendered .qdc has its codes (there are some)
    codebook_element.append(codes_element)
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
                    description = "\n\n".join(filter(None, [project.description, _link_text(tables)]))
                    if description:
                        el = etree.Element(q("Description"))
                        el.text = xml_text(description)
                        xf.write(el)
                    for memo_id in project_memos:
                        xf.write(etree.Element(q("NoteRef"), targetGUID=guid_for(pid, "memo", memo_id)))
            zf.write(qde, "project.qde")
    finally:
        qde.unlink(missing_ok=True)
    return written


def _link_text(tables) -> str:
    """A secondary pass's link to its parent code, in words and GUIDs (REFI-QDA has no element for it)."""
    link = tables.secondary
    if not link:
        return ""
    return (
        f"Secondary pass of the project {link['project_name']!r} (Intercoder project {link['project']}): "
        f"the passages of {link['code_path']} (code GUID {link['code_guid']}), from {link['source']} codings. "
        "Each selection's description names the segment of the parent project it was copied from."
    )


def _write_source(xf, zf, pid, doc, tables, user_guid, final_user, code_guid, finals, Coding, Memo) -> int:
    doc_guid = guid_for(pid, "document", doc["id"])
    text = tables.text(doc["id"])
    zf.writestr(f"sources/{doc_guid}.txt", text.encode("utf-8"))
    # selection key (user guid, start, end) -> [(coding guid, code guid, created)]
    selections: dict[tuple[str, int, int], list[tuple[str, str, Any]]] = defaultdict(list)
    segment_of: dict[tuple[str, int, int], int] = {}  # selection key -> its segment (a secondary pass's link)
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
            "segment_id",
        )
    )
    count = 0
    for cid, coder_id, code_id, ss, se, s0, s1, created, seg_id in rows.iterator(chunk_size=5000):
        start, end = (ss, se) if ss is not None else (s0, s1)
        segment_of[(user_guid[coder_id], start, end)] = seg_id
        selections[(user_guid[coder_id], start, end)].append(
            (guid_for(pid, "coding", cid), code_guid[code_id], created)
        )
        count += 1
    for seg_id, s0, s1, ss, se, code_id, decided in finals:
        start, end = (ss, se) if ss is not None else (s0, s1)
        segment_of[(final_user, start, end)] = seg_id
        selections[(final_user, start, end)].append(
            (guid_for(pid, "final", seg_id, code_id, start, end), code_guid[code_id], decided)
        )
        count += 1
    segment_memos: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for memo_id, author_id, s0, s1, seg_id in Memo.objects.filter(segment__document_id=doc["id"]).values_list(
        "id", "author_id", "segment__start_offset", "segment__end_offset", "segment_id"
    ):
        segment_memos[(user_guid.get(author_id, final_user), s0, s1)].append(memo_id)
        segment_of[(user_guid.get(author_id, final_user), s0, s1)] = seg_id
    with xf.element(
        q("TextSource"),
        {
            "guid": doc_guid,
            "name": xml_text(doc["title"]),
            "plainTextPath": f"internal://{doc_guid}.txt",
            "creatingUser": user_guid.get(doc["created_by_id"], final_user),
        },
    ):
        if tables.secondary:
            link = etree.Element(q("Description"))
            link.text = xml_text(
                f"The passages of {tables.secondary['code_path']} in the transcript {doc['title']!r} of "
                f"{tables.secondary['project_name']!r}."
            )
            xf.write(link)
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
            source_segment = tables.source_segments.get(segment_of.get(key))
            if source_segment is not None:
                etree.SubElement(sel, q("Description")).text = (
                    f"Copied from segment {source_segment.id} (¶{source_segment.number}) of "
                    f"{xml_text(tables.secondary['project_name'])}."
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
