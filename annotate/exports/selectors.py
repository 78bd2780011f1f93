"""Reads for exports: who may export what, the small lookup tables of a project, and the coding rows,
streamed (server-side cursors, or batches of the adjudication selector) so that no export holds the whole
project in memory.

Who may export what (``export_check``), the one place the rule lives:

- owners and adjudicators: everything;
- coders: what they may read anyway. Raw codings through the blind-coding rule (their own, plus units
  already adjudicated, or everything once the project is released); final codings, matrices and
  quotations only after release; the codebook (``.qdc``). Not the whole project (``.qdpx``), the audit
  trail or the analysis report, which are the PI's;
- viewers: final codings (and matrix and quotations from them) after release, and the codebook.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied

from annotate.adjudication.models import Decision, FinalCoding
from annotate.adjudication.selectors import FinalCodingRow
from annotate.adjudication.selectors import final_coding_rows as adjudication_final_rows
from annotate.cases.models import AttributeDefinition, AttributeValue, Case
from annotate.codebook.models import Code, CodebookVersion
from annotate.codebook.selectors import code_paths, codebook_get
from annotate.coding.models import Coding
from annotate.coding.selectors import coding_blind_filter
from annotate.documents.models import Document, Segment
from annotate.passes.selectors import (
    SourceSegment,
    secondary_pass_of,
    secondary_pass_sentence,
    source_segments,
)
from annotate.projects.models import Membership, Role

from .models import ExportJob, ExportKind

ANALYST_ROLES = (Role.OWNER, Role.ADJUDICATOR)
FINAL_USER_NAME = "final"


# --- who may export what -----------------------------------------------------------------------------


def export_check(*, membership: Membership, kind: str, params: dict[str, Any]) -> None:
    """Raise PermissionDenied (403) with the reason when this member may not request this export."""
    role = membership.role
    if role in ANALYST_ROLES:
        return
    released = membership.project.codings_released_at is not None
    if kind == ExportKind.QDC:
        return
    if kind in (ExportKind.QDPX, ExportKind.AUDIT, ExportKind.ANALYSIS_REPORT):
        raise PermissionDenied("Only owners and adjudicators may export this.")
    if kind == ExportKind.CODINGS:
        which = params.get("which", "final")
        if role == Role.CODER and which == "raw":
            return  # filtered by the blind-coding rule when the rows are read
        if not released:
            raise PermissionDenied("Final codings can be exported by coders and viewers after release.")
        if role == Role.VIEWER and which != "final":
            raise PermissionDenied("Viewers may export the final coding only.")
        return
    if kind in (ExportKind.MATRIX, ExportKind.QUOTATIONS):
        if not released:
            raise PermissionDenied("Coders and viewers can export matrices and quotations after release.")
        if role == Role.VIEWER and params.get("source") == "raw":
            raise PermissionDenied("Viewers may export from the final coding only.")
        return
    raise PermissionDenied("Your role in this project does not allow this export.")


def export_job_list_visible(*, membership: Membership) -> QuerySet[ExportJob]:
    """Owners and adjudicators see every export of the project; other members see their own."""
    qs = ExportJob.objects.filter(project_id=membership.project_id)
    if membership.role not in ANALYST_ROLES:
        qs = qs.filter(created_by_id=membership.user_id)
    return qs.select_related("created_by").order_by("-created_at", "-id")


def export_job_get_visible(*, membership: Membership, job_id: int) -> ExportJob:
    job = export_job_list_visible(membership=membership).filter(pk=job_id).first()
    if job is None:
        raise NotFound("Export not found.")
    return job


# --- the small tables every export joins against ---------------------------------------------------------


@dataclass
class ProjectTables:
    """Lookups keyed by id: documents (without their text), cases and their attributes, codes, users.
    Proportional to the number of documents, cases and codes, never to the number of codings."""

    project_id: int
    project_name: str
    documents: Mapping[int, Mapping[str, Any]]
    cases: Mapping[int, Mapping[str, Any]]
    attributes: Sequence[Mapping[str, Any]]  # [{"id", "name", "type"}] in display order
    case_values: dict[int, dict[int, Any]]  # case id -> attribute id -> value
    code_paths: dict[int, str]
    codes: Mapping[int, Mapping[str, Any]]
    users: dict[int, str]
    version_numbers: dict[int, int]
    # A secondary pass: its parent project and code ({"project", "project_name", "code", "code_guid",
    # "code_path", "source", "sentence"}), and each segment's source segment in the parent. None and {} for
    # a primary pass.
    secondary: Mapping[str, Any] | None = None
    source_segments: dict[int, SourceSegment] = field(default_factory=dict)
    _texts: OrderedDict = field(default_factory=OrderedDict)

    def text(self, document_id: int) -> str:
        """A document's text, from a small cache (rows come grouped by document)."""
        if document_id not in self._texts:
            self._texts[document_id] = Document.objects.values_list("text", flat=True).get(pk=document_id)
            while len(self._texts) > 8:
                self._texts.popitem(last=False)
        return self._texts[document_id]

    def attribute_row(self, case_id: int) -> list[Any]:
        values = self.case_values.get(case_id, {})
        return [values.get(a["id"]) for a in self.attributes]


def project_tables(*, project) -> ProjectTables:
    codebook = codebook_get(project_id=project.id)
    documents = {
        d["id"]: d
        for d in Document.objects.filter(project_id=project.id)
        .order_by("analysis_order", "id")
        .values("id", "title", "case_id", "interview_date", "analysis_order", "text_length", "created_by_id")
    }
    cases = {
        c["id"]: c
        for c in Case.objects.filter(project_id=project.id)
        .order_by("identifier")
        .values("id", "identifier", "description")
    }
    attributes = list(
        AttributeDefinition.objects.filter(project_id=project.id)
        .order_by("position", "id")
        .values("id", "name", "type")
    )
    case_values: dict[int, dict[int, Any]] = {}
    for v in AttributeValue.objects.filter(case__project_id=project.id).values(
        "case_id", "attribute_id", "text_value", "number_value", "date_value"
    ):
        value = next(
            (x for x in (v["text_value"], v["number_value"], v["date_value"]) if x is not None), None
        )
        if isinstance(value, dt.date):
            value = value.isoformat()
        case_values.setdefault(v["case_id"], {})[v["attribute_id"]] = value
    codes = {
        c["id"]: c
        for c in Code.objects.filter(codebook=codebook).values(
            "id", "name", "parent_id", "guid", "definition", "position"
        )
    }
    user_ids = set(Coding.objects.filter(project_id=project.id).values_list("coder_id", flat=True).distinct())
    user_ids |= set(Membership.objects.filter(project_id=project.id).values_list("user_id", flat=True))
    users = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("id", "username"))
    versions = dict(CodebookVersion.objects.filter(codebook=codebook).values_list("id", "number"))
    link = secondary_pass_of(project_id=project.id)
    secondary = None
    if link is not None:
        secondary = {
            "project": link.parent_project_id,
            "project_name": link.parent_project.name,
            "code": link.parent_code_id,
            "code_guid": str(link.parent_code.guid),
            "code_path": link.query_title,
            "source": link.source,
            "sentence": secondary_pass_sentence(link),
        }
    return ProjectTables(
        project_id=project.id,
        project_name=project.name,
        documents=documents,
        cases=cases,
        attributes=attributes,
        case_values=case_values,
        code_paths=code_paths(codebook=codebook),
        codes=codes,
        users=users,
        version_numbers=versions,
        secondary=secondary,
        source_segments=source_segments(project_id=project.id) if link is not None else {},
    )


# --- coding rows ---------------------------------------------------------------------------------------

SEGMENT_FIELDS = [
    "id",
    "document_id",
    "position",
    "speaker",
    "start_offset",
    "end_offset",
    "start_time_ms",
    "end_time_ms",
]


@dataclass(frozen=True)
class CodingRow:
    """One coding (a coder's or the final one), with its segment's position; ``coder_id`` is None for the
    final coding."""

    document_id: int
    segment_id: int
    position: int
    speaker: str
    start_offset: int
    end_offset: int
    start_time_ms: int | None
    end_time_ms: int | None
    code_id: int
    span_start: int | None
    span_end: int | None
    coder_id: int | None
    codebook_version_id: int | None
    coded_at: Any
    provenance: str
    decision_id: int | None = None
    adjudicator: str = ""
    rationale: str = ""


def _raw_codings(
    *, project_id: int, membership: Membership | None, undecided_only: bool = False
) -> QuerySet[Coding]:
    """Every coder's codings a member may read (the blind-coding rule); ``undecided_only``: only on units
    that have no current adjudication decision."""
    qs = Coding.objects.filter(project_id=project_id)
    if membership is not None:
        blind = coding_blind_filter(membership=membership)
        if blind is not None:
            qs = qs.filter(blind)
    if undecided_only:
        qs = qs.exclude(segment_id__in=_decided_segments(project_id))
    return qs


def _decided_segments(project_id: int):
    """The segments with a current decision: their final coding is known, even when it is empty."""

    return Decision.objects.filter(project_id=project_id, is_current=True).values("segment_id")


def raw_coding_rows(
    *,
    project_id: int,
    membership: Membership | None = None,
    undecided_only: bool = False,
    chunk_size: int = 5000,
) -> Iterator[CodingRow]:
    """Every coder's codings in document, segment and coding order, through a server-side cursor. With
    ``membership``, only what that member may read (the blind-coding rule); with ``undecided_only``, only
    on units not yet adjudicated."""
    qs = _raw_codings(project_id=project_id, membership=membership, undecided_only=undecided_only)
    rows = qs.order_by(
        "segment__document__analysis_order", "segment__document_id", "segment__position", "id"
    ).values_list(
        "segment__document_id",
        "segment_id",
        "segment__position",
        "segment__speaker",
        "segment__start_offset",
        "segment__end_offset",
        "segment__start_time_ms",
        "segment__end_time_ms",
        "code_id",
        "span_start",
        "span_end",
        "coder_id",
        "codebook_version_id",
        "created_at",
    )
    for row in rows.iterator(chunk_size=chunk_size):
        yield CodingRow(*row, provenance="coder")


def final_coding_rows(*, project_id: int, batch: int = 2000) -> Iterator[CodingRow]:
    """The final (adjudicated) coding, joined to its segments in batches of ``batch`` rows."""
    pending: list[FinalCodingRow] = []

    def flush() -> Iterator[CodingRow]:
        segments = {
            s["id"]: s
            for s in Segment.objects.filter(pk__in={r["segment_id"] for r in pending}).values(*SEGMENT_FIELDS)
        }
        for r in pending:
            s = segments[r["segment_id"]]
            yield CodingRow(
                document_id=s["document_id"],
                segment_id=s["id"],
                position=s["position"],
                speaker=s["speaker"],
                start_offset=s["start_offset"],
                end_offset=s["end_offset"],
                start_time_ms=s["start_time_ms"],
                end_time_ms=s["end_time_ms"],
                code_id=r["code_id"],
                span_start=r["span_start"],
                span_end=r["span_end"],
                coder_id=None,
                codebook_version_id=None,
                coded_at=r.get("decided_at"),
                provenance=str(r.get("provenance") or ""),
                decision_id=r.get("decision_id"),
                adjudicator=r.get("adjudicator_username") or "",
                rationale=r.get("rationale") or "",
            )
        pending.clear()

    for row in adjudication_final_rows(project_id=project_id):
        pending.append(row)
        if len(pending) >= batch:
            yield from flush()
    if pending:
        yield from flush()


def coding_rows(*, project_id: int, which: str, membership: Membership | None = None) -> Iterator[CodingRow]:
    """``which``: "raw" (every coder's), "final", "both" (raw first, then final) or "final_else_raw" (per
    unit: the final coding where a decision exists, every coder's codings where none does yet)."""
    if which in ("raw", "both", "final_else_raw"):
        undecided_only = which == "final_else_raw"
        yield from raw_coding_rows(
            project_id=project_id, membership=membership, undecided_only=undecided_only
        )
    if which in ("final", "both", "final_else_raw"):
        yield from final_coding_rows(project_id=project_id)


# --- what an export will hold, said before it runs ---------------------------------------------------------

SOURCE_WORDS = {
    "raw": "every coder's codings",
    "final": "the final (adjudicated) coding of decided units only",
    "final_else_raw": "the final coding of decided units, and every coder's codings of units not yet decided",
    "both": "every coder's codings and the final coding",
}


def export_contents(*, membership: Membership, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """What an export of codings, a matrix or quotations will hold, counted before it runs (a few
    aggregate queries, whatever the project's size): the codings and units from the coders and from the
    final coding, the coded units left out (with ``which``/``source`` "final": those not decided yet), and
    the documents, cases and codes they touch, with one plain sentence that says it. Other kinds: None
    counts. Read with the same rules as the export itself (the blind-coding rule for coders)."""

    which = params.get("which") if kind == ExportKind.CODINGS else params.get("source")
    if which is None:
        return {"which": None, "summary": "", "units_left_out": 0}
    project_id = membership.project_id
    visible_to = None if membership.role in ANALYST_ROLES else membership
    raw = _raw_codings(project_id=project_id, membership=visible_to, undecided_only=which == "final_else_raw")
    final = FinalCoding.objects.filter(project_id=project_id, decision__is_current=True)
    parts = ([raw] if which in ("raw", "both", "final_else_raw") else []) + (
        [final] if which in ("final", "both", "final_else_raw") else []
    )
    segments: set[int] = set()
    documents: set[int] = set()
    cases: set[int] = set()
    codes: set[int] = set()
    for qs in parts:
        for segment_id, document_id, case_id, code_id in qs.values_list(
            "segment_id", "segment__document_id", "segment__document__case_id", "code_id"
        ).distinct():
            segments.add(segment_id)
            documents.add(document_id)
            cases.add(case_id)
            codes.add(code_id)
    decided = set(_decided_segments(project_id).values_list("segment_id", flat=True))
    raw_units = set(
        _raw_codings(project_id=project_id, membership=visible_to)
        .values_list("segment_id", flat=True)
        .distinct()
    )
    left_out = len(raw_units - decided) if which == "final" else 0
    counts = {
        "which": which,
        "codings_from_coders": raw.count() if which in ("raw", "both", "final_else_raw") else 0,
        "codings_final": final.count() if which in ("final", "both", "final_else_raw") else 0,
        "units": len(segments | (decided if which != "raw" else set())),
        "units_decided": len(decided) if which != "raw" else 0,
        "units_from_coders": len(raw_units - decided)
        if which == "final_else_raw"
        else (len(raw_units) if which in ("raw", "both") else 0),
        "units_left_out": left_out,
        "documents": len(documents),
        "cases": len(cases),
        "codes": len(codes),
    }
    if kind == ExportKind.QUOTATIONS:
        # A quotation is a (code, segment, span): coders who applied the same one share it. The parts never
        # share a segment (final_else_raw takes coders' codings only where there is no decision).
        counts["quotations"] = sum(
            qs.filter(**({"code_id__in": _code_subtree(params["code"])} if params.get("code") else {}))
            .values_list("code_id", "segment_id", "span_start", "span_end")
            .distinct()
            .count()
            for qs in parts
        )
    counts["summary"] = export_summary(counts)
    return counts


def _code_subtree(code_id: int) -> list[int]:
    """The code and every code below it (quotations of a code include its sub-codes')."""
    ids, frontier = [code_id], [code_id]
    while frontier:
        frontier = list(Code.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids.extend(frontier)
    return ids


def export_summary(counts: dict[str, Any]) -> str:
    """One sentence for the person about to export, and for the head of the file."""

    def n(value: int, one: str, many: str) -> str:
        return f"{value:,} {one if value == 1 else many}"

    which = counts["which"]
    rows = counts["codings_from_coders"] + counts["codings_final"]
    held = (
        n(counts["quotations"], "quotation", "quotations")
        if "quotations" in counts
        else n(rows, "coding", "codings")
    )
    sentence = (
        f"From {SOURCE_WORDS[which]}: {held} on {n(counts['units'], 'unit', 'units')} "
        f"in {n(counts['documents'], 'transcript', 'transcripts')} of {n(counts['cases'], 'case', 'cases')}"
    )
    if which == "final_else_raw":
        sentence += (
            f" ({n(counts['units_decided'], 'unit', 'units')} decided, "
            f"{n(counts['units_from_coders'], 'unit', 'units')} still from the coders)"
        )
    sentence += "."
    if counts["units_left_out"]:
        sentence += (
            f" {n(counts['units_left_out'], 'coded unit has', 'coded units have')} no final coding yet and "
            f"{'is' if counts['units_left_out'] == 1 else 'are'} not in this export."
        )
    return sentence
