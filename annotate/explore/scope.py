"""What an exploration reads: the segments in scope (filters on case, case attribute, speaker role and
transcript) and, for anything that depends on codes, the codings it counts, read under the blind-coding rule.

The sources of codings (the same words as the code-usage counts, ``annotate.analysis.usage``):

- ``mine``: the member's own codings. A coder reads these until the PI releases the codings: coders stay
  blind to each other in every code-based view.
- ``coders``: every coder's codings (a segment counts once per code, whoever applied it), or with
  ``coder`` one coder's (owners and adjudicators only). For owners and adjudicators, and for every member
  once the project is released.
- ``final``: the final coding: adjudicated units only, as decided. Every member may read it (the units
  are adjudicated, which ends blindness on them).
- ``final_else_coders``: the final coding where a unit is adjudicated, every coder's codings where it is
  not yet: the whole project while adjudication is under way. Read as ``coders`` is.

A code stands for itself and its sub-codes (a theme gathers its codes), unless asked otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied

from annotate.adjudication.models import Decision, FinalCoding
from annotate.cases.models import AttributeDefinition, AttributeType, AttributeValue, Case
from annotate.codebook.models import Code
from annotate.coding.models import Coding
from annotate.core.exceptions import ApplicationError
from annotate.core.sql import integer_columns
from annotate.documents.models import Document, Segment
from annotate.projects.models import Membership, Role

SOURCES = ("mine", "coders", "final", "final_else_coders")
SOURCE_WORDS = {
    "mine": "your own codings",
    "coders": "every coder's codings",
    "final": "the final coding (adjudicated units only)",
    "final_else_coders": "the final coding where adjudicated, else every coder's codings",
}
ROLES = ("participant", "interviewer")
ANALYSTS = (Role.OWNER, Role.ADJUDICATOR)


# --- the codes --------------------------------------------------------------------------------------


@dataclass
class Codebook:
    """The project's codes in tree order (a theme, then its codes), with paths and sub-trees."""

    codes: list[dict[str, Any]]  # {"id", "name", "path", "parent", "depth", "colour"}
    children: dict[int, list[int]] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [c["id"] for c in self.codes]

    def by_id(self) -> dict[int, dict[str, Any]]:
        return {c["id"]: c for c in self.codes}

    def subtree(self, code_id: int) -> list[int]:
        """The code and every code below it."""
        ids, frontier = [code_id], [code_id]
        while frontier:
            frontier = [child for parent in frontier for child in self.children.get(parent, [])]
            ids.extend(frontier)
        return ids

    def ancestors(self) -> dict[int, list[int]]:
        """Each code with the codes above it, itself first."""
        parents = {c["id"]: c["parent"] for c in self.codes}
        chains = {}
        for code_id in parents:
            chain, at = [], code_id
            while at is not None:
                chain.append(at)
                at = parents.get(at)
            chains[code_id] = chain
        return chains


def codebook_read(*, project_id: int) -> Codebook:
    rows = list(
        Code.objects.filter(codebook__project_id=project_id)
        .order_by("position", "id")
        .values("id", "name", "parent_id", "colour")
    )
    children: dict[int, list[int]] = {}
    for row in rows:
        if row["parent_id"] is not None:
            children.setdefault(row["parent_id"], []).append(row["id"])
    ordered: list[dict[str, Any]] = []
    by_id = {r["id"]: r for r in rows}

    def walk(row, depth: int, path: str) -> None:
        here = f"{path} > {row['name']}" if path else row["name"]
        ordered.append(
            {
                "id": row["id"],
                "name": row["name"],
                "path": here,
                "parent": row["parent_id"],
                "depth": depth,
                "colour": row["colour"],
            }
        )
        for child in children.get(row["id"], []):
            walk(by_id[child], depth + 1, here)

    for row in rows:
        if row["parent_id"] is None or row["parent_id"] not in by_id:
            walk(row, 0, "")
    return Codebook(codes=ordered, children=children)


def code_ids_resolve(*, codebook: Codebook, ids: list[int], subcodes: bool = True) -> list[list[int]]:
    """For each asked code, the codes that stand for it; NotFound for a code not in this project."""
    known = {c["id"] for c in codebook.codes}
    resolved = []
    for code_id in ids:
        if code_id not in known:
            raise NotFound(f"Code {code_id} not found in this project.")
        resolved.append(codebook.subtree(code_id) if subcodes else [code_id])
    return resolved


# --- the segments in scope -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentFilters:
    """Which segments an exploration looks at. ``attributes``: (attribute id, value as typed) pairs, all of
    which a segment's case must have; ``role``: "participant" (codable turns) or "interviewer" (turns kept
    as context)."""

    document: int | None = None
    case: int | None = None
    role: str | None = None
    attributes: tuple[tuple[int, str], ...] = ()


def _attribute_cases(project_id: int, attribute_id: int, value: str) -> QuerySet:
    definition = AttributeDefinition.objects.filter(project_id=project_id, pk=attribute_id).first()
    if definition is None:
        raise NotFound(f"Case attribute {attribute_id} not found in this project.")
    values = AttributeValue.objects.filter(attribute=definition)
    if definition.type == AttributeType.NUMBER:
        try:
            values = values.filter(number_value=float(value))
        except ValueError:
            raise ApplicationError(f"{definition.name} is a number; {value!r} is not one.") from None
    elif definition.type == AttributeType.DATE:
        try:
            values = values.filter(date_value=dt.date.fromisoformat(value))
        except ValueError:
            raise ApplicationError(
                f"{definition.name} is a date (YYYY-MM-DD); {value!r} is not one."
            ) from None
    else:
        values = values.filter(text_value=value)
    return values.values("case_id")


def case_scope(*, project_id: int, filters: SegmentFilters) -> QuerySet[Case]:
    """The cases with at least one transcript that pass the case filters: the N of "n of N cases"."""
    cases = Case.objects.filter(project_id=project_id, documents__isnull=False).distinct()
    if filters.case is not None:
        cases = cases.filter(pk=filters.case)
    if filters.document is not None:
        cases = cases.filter(documents__pk=filters.document)
    for attribute_id, value in filters.attributes:
        cases = cases.filter(pk__in=_attribute_cases(project_id, attribute_id, value))
    return cases


def segment_scope(*, project_id: int, filters: SegmentFilters) -> QuerySet[Segment]:
    return scope_filter(
        Segment.objects.filter(document__project_id=project_id),
        project_id=project_id,
        filters=filters,
        case_field="document__case_id",
    )


def scope_filter(
    queryset: QuerySet, *, project_id: int, filters: SegmentFilters, case_field: str
) -> QuerySet:
    """``queryset`` (of the project's segments, or of rows standing for them that have ``document_id``,
    ``codable`` and the case in ``case_field``) cut to ``filters``; NotFound for a transcript or case of
    another project, a message for a role that does not exist."""
    if filters.document is not None:
        if not Document.objects.filter(project_id=project_id, pk=filters.document).exists():
            raise NotFound("Document not found in this project.")
        queryset = queryset.filter(document_id=filters.document)
    if filters.case is not None:
        if not Case.objects.filter(project_id=project_id, pk=filters.case).exists():
            raise NotFound("Case not found in this project.")
        queryset = queryset.filter(**{case_field: filters.case})
    if filters.role is not None:
        if filters.role not in ROLES:
            raise ApplicationError(f"role is one of {', '.join(ROLES)}.")
        queryset = queryset.filter(codable=filters.role == "participant")
    for attribute_id, value in filters.attributes:
        queryset = queryset.filter(**{f"{case_field}__in": _attribute_cases(project_id, attribute_id, value)})
    return queryset


# --- the codings ----------------------------------------------------------------------------------------


def source_default(membership: Membership) -> str:
    """Owners and adjudicators, and everyone after release: the final coding where adjudicated, else the
    coders'; before release coders read their own codings and viewers the final coding."""
    if membership.role in ANALYSTS or membership.project.codings_released_at is not None:
        return "final_else_coders"
    return "mine" if membership.role == Role.CODER else "final"


@dataclass(frozen=True)
class CodingSource:
    """The codings a view counts: querysets of Coding and/or FinalCoding rows (each has ``segment_id``,
    ``code_id``, ``span_start``, ``span_end``), which never share a segment with one another."""

    name: str
    parts: tuple[QuerySet, ...]
    coder: int | None = None

    def segments_with(self, code_ids: list[int]) -> Q:
        """The Q on Segment: coded (in this source) with any of ``code_ids``."""
        q = Q(pk__in=[])
        for part in self.parts:
            q |= Q(pk__in=part.filter(code_id__in=code_ids).values("segment_id"))
        return q


def coding_source(
    *, membership: Membership, source: str | None = None, coder: int | None = None
) -> CodingSource:
    """The codings ``membership`` may read from ``source`` (default: ``source_default``); PermissionDenied
    saying why when it may not."""
    source = source or ("coders" if coder is not None else source_default(membership))
    if source not in SOURCES:
        raise ApplicationError(f"source is one of {', '.join(SOURCES)}.")
    project = membership.project
    analyst = membership.role in ANALYSTS
    if coder is not None:
        if not analyst:
            raise PermissionDenied("Only owners and adjudicators can read one coder's codings.")
        if source != "coders":
            raise ApplicationError("coder goes with source=coders: one coder's codings.")
    if source in ("coders", "final_else_coders") and not (analyst or project.codings_released_at):
        raise PermissionDenied(
            "Coders code blind: every coder's codings can be read once the PI releases them. "
            "Ask for source=mine (your own) or source=final (adjudicated units) instead."
        )
    final = FinalCoding.objects.filter(project_id=project.id, decision__is_current=True)
    coders = Coding.objects.filter(project_id=project.id)
    if source == "mine":
        parts: tuple[QuerySet, ...] = (coders.filter(coder_id=membership.user_id),)
    elif source == "coders":
        parts = (coders.filter(coder_id=coder) if coder is not None else coders,)
    elif source == "final":
        parts = (final,)
    else:
        decided = Decision.objects.filter(project_id=project.id, is_current=True).values("segment_id")
        parts = (final, coders.exclude(segment_id__in=decided))
    return CodingSource(name=source, parts=parts, coder=coder)


# --- segments as the views show them ------------------------------------------------------------------

SEGMENT_ORDER = ("document__case__identifier", "document__analysis_order", "document_id", "position")


def segment_rows(segments: QuerySet[Segment]) -> list[dict[str, Any]]:
    """Each segment with its text, case and transcript, and its number as the reader shows it (¶ position
    + 1), in the order of ``segments``. Two queries: the segments' ids (a page of an ordered query: the
    database sorts and cuts without touching any text), then ``segment_rows_of`` those."""
    return segment_rows_of(list(segments.values_list("id", flat=True)))


def segment_rows_of(ids: list[int]) -> list[dict[str, Any]]:
    """``segment_rows`` of the segments ``ids``, in that order: two queries, the segments, then the text
    of each of their transcripts once, the segments' texts cut from it here. (Cut by the database, each
    segment would read its transcript's text up to the segment: a batch of segments of a few long
    transcripts would read each of them many times over.)"""
    if not ids:
        return []
    rows = Segment.objects.filter(pk__in=ids).values(
        "id",
        "document_id",
        "document__title",
        "document__case_id",
        "document__case__identifier",
        "position",
        "speaker",
        "codable",
        "start_time_ms",
        "start_offset",
        "end_offset",
    )
    by_id = {r["id"]: r for r in rows}
    texts = dict(
        Document.objects.filter(pk__in={r["document_id"] for r in by_id.values()}).values_list("id", "text")
    )
    return [
        {
            "segment": r["id"],
            "document": {"id": r["document_id"], "title": r["document__title"]},
            "case": {"id": r["document__case_id"], "identifier": r["document__case__identifier"]},
            "segment_number": r["position"] + 1,
            "position": r["position"],
            "speaker": r["speaker"],
            "role": "participant" if r["codable"] else "interviewer",
            "start_time_ms": r["start_time_ms"],
            "start_offset": r["start_offset"],
            "text": texts[r["document_id"]][r["start_offset"] : r["end_offset"]],
        }
        for r in (by_id[i] for i in ids)
    ]


@dataclass(frozen=True)
class Matches:
    """The segments a query finds, in ``SEGMENT_ORDER`` (``ids``), and how many in each case (``cases``:
    (case id, identifier, segments), in identifier order)."""

    ids: list[int]
    cases: list[tuple[int, str, int]]

    @property
    def total(self) -> int:
        return len(self.ids)


def segments_ordered(segments: QuerySet[Segment]) -> Matches:
    """``segments`` read once, as integers (``integer_columns``), counted per case and put in
    ``SEGMENT_ORDER`` here, rather than by a count and a sorted page each scanning the matches: a page
    of a query matching tens of thousands of segments then costs one pass over them. Cases are ranked
    by their identifier as the database orders it (its collation), as ``SEGMENT_ORDER`` does."""
    return matches_of(
        integer_columns(
            segments.order_by().values_list(
                "id", "document__case_id", "document__analysis_order", "document_id", "position"
            ),
            5,
        )
    )


def matches_of(rows: np.ndarray) -> Matches:
    """``Matches`` of ``rows``: (segment, case, analysis order, transcript, position) integer rows."""
    if not len(rows):
        return Matches(ids=[], cases=[])
    case_ids = np.unique(rows[:, 1])
    ordered = _cases_by_identifier(case_ids.tolist())
    rank_of = {case_id: rank for rank, (case_id, _) in enumerate(ordered)}
    ranks = np.array([rank_of[int(c)] for c in case_ids], dtype=np.int64)
    case_rank = ranks[np.searchsorted(case_ids, rows[:, 1])]
    order = np.lexsort((rows[:, 4], rows[:, 3], rows[:, 2], case_rank))
    counts = np.bincount(case_rank, minlength=len(ordered)).tolist()
    return Matches(
        ids=rows[order, 0].tolist(),
        cases=[(case_id, identifier, n) for (case_id, identifier), n in zip(ordered, counts, strict=True)],
    )


def _cases_by_identifier(case_ids: list[int]) -> list[tuple[int, str]]:
    """(id, identifier) of the cases ``case_ids``, by identifier. On PostgreSQL the ids go as one array
    parameter: a word found in every case lists a thousand of them, and a thousand parameters cost more
    to bind and parse than the query does to run."""
    if connection.vendor != "postgresql":
        return list(
            Case.objects.filter(pk__in=case_ids).order_by("identifier").values_list("id", "identifier")
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, identifier FROM {Case._meta.db_table} WHERE id = ANY(%s) ORDER BY identifier",  # noqa: S608
            [case_ids],
        )
        return [(case_id, identifier) for case_id, identifier in cursor.fetchall()]


def page_bounds(*, page: int, page_size: int, total: int) -> tuple[int, int, int]:
    """(first row, last row + 1, number of pages) of ``page`` (1-based); NotFound beyond the last page."""
    pages = max(1, -(-total // page_size))
    if page < 1 or page > pages:
        raise NotFound(f"There are {pages} pages; page {page} does not exist.")
    return (page - 1) * page_size, min(total, page * page_size), pages
