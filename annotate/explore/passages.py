"""Retrieval: the passages of a code, or of a code query, each with its speaker, case, transcript, segment
number and one segment of context either side, a page at a time.

A code query is over segments: ``all`` (every one of these codes on the segment: A AND B), ``any`` (at
least one: A OR B) and ``none`` (none of these: A NOT B). Each code stands for itself and its sub-codes
unless ``subcodes`` is false. The codings come from a source read under the blind-coding rule
(``scope.coding_source``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from annotate.coding.models import Coding
from annotate.core.exceptions import ApplicationError
from annotate.documents.models import Segment
from annotate.projects.models import Membership

from .query import pieces_marked
from .scope import (
    SEGMENT_ORDER,
    SOURCE_WORDS,
    Codebook,
    CodingSource,
    SegmentFilters,
    case_scope,
    code_ids_resolve,
    codebook_read,
    coding_source,
    page_bounds,
    segment_rows,
    segment_rows_of,
    segment_scope,
    segments_ordered,
)

MAX_CODES = 20


@dataclass(frozen=True)
class CodeQuery:
    all: tuple[int, ...] = ()
    any: tuple[int, ...] = ()
    none: tuple[int, ...] = ()
    subcodes: bool = True

    def describe(self, codebook: Codebook) -> str:
        paths = {c["id"]: c["path"] for c in codebook.codes}
        parts = []
        if self.all:
            parts.append(" AND ".join(paths[c] for c in self.all))
        if self.any:
            parts.append("(" + " OR ".join(paths[c] for c in self.any) + ")")
        text = " AND ".join(parts)
        if self.none:
            text += "".join(f" NOT {paths[c]}" for c in self.none)
        return text


@dataclass
class Retrieval:
    """A code query resolved against a project: the segments it retrieves, in case and transcript order,
    and what the passages show."""

    membership: Membership
    codebook: Codebook
    source: CodingSource
    query: CodeQuery
    filters: SegmentFilters
    segments: QuerySet[Segment]
    shown_codes: list[int]

    @property
    def title(self) -> str:
        return self.query.describe(self.codebook)


def retrieval_build(
    *,
    membership: Membership,
    query: CodeQuery,
    filters: SegmentFilters,
    source: str | None = None,
    coder: int | None = None,
) -> Retrieval:
    if not (query.all or query.any):
        raise ApplicationError("Name a code to retrieve its passages: code=<id> (or any=<id>,<id>).")
    if len(query.all) + len(query.any) + len(query.none) > MAX_CODES:
        raise ApplicationError(f"A code query names at most {MAX_CODES} codes.")
    project_id = membership.project_id
    codebook = codebook_read(project_id=project_id)
    coding = coding_source(membership=membership, source=source, coder=coder)
    expand = lambda ids: code_ids_resolve(codebook=codebook, ids=list(ids), subcodes=query.subcodes)  # noqa: E731
    all_sets, any_sets, none_sets = expand(query.all), expand(query.any), expand(query.none)
    segments = segment_scope(project_id=project_id, filters=filters)
    for ids in all_sets:
        segments = segments.filter(coding.segments_with(ids))
    if any_sets:
        segments = segments.filter(coding.segments_with([c for ids in any_sets for c in ids]))
    for ids in none_sets:
        segments = segments.exclude(coding.segments_with(ids))
    shown = sorted({c for ids in all_sets + any_sets for c in ids})
    return Retrieval(
        membership=membership,
        codebook=codebook,
        source=coding,
        query=query,
        filters=filters,
        segments=segments.order_by(*SEGMENT_ORDER),
        shown_codes=shown,
    )


def _context(rows: list[dict[str, Any]]) -> dict[tuple[int, int], dict[str, Any]]:
    """The segments just before and after each of ``rows``, keyed by (document id, position)."""
    wanted = {(r["document"]["id"], r["position"] + d) for r in rows for d in (-1, 1)}
    wanted = {(doc, pos) for doc, pos in wanted if pos >= 0}
    if not wanted:
        return {}
    q = reduce(or_, (Q(document_id=doc, position=pos) for doc, pos in wanted))
    return {(r["document"]["id"], r["position"]): r for r in segment_rows(Segment.objects.filter(q))}


def passage_rows(retrieval: Retrieval, segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Complete a page of segment rows into passages: the codings that put each there (code, span,
    who), the coded spans marked in ``pieces``, and the segment before and after."""
    ids = [r["segment"] for r in segments]
    by_segment: dict[int, dict[tuple, set[str]]] = {i: {} for i in ids}
    coder_ids: set[int] = set()
    raw = []
    for part in retrieval.source.parts:
        fields = ["segment_id", "code_id", "span_start", "span_end"]
        is_coders = part.model is Coding
        rows = part.filter(segment_id__in=ids, code_id__in=retrieval.shown_codes).values_list(
            *fields, "coder_id" if is_coders else "decision_id"
        )
        for segment_id, code_id, start, end, who in rows:
            raw.append((segment_id, code_id, start, end, who if is_coders else None))
            if is_coders:
                coder_ids.add(who)
    names = dict(get_user_model().objects.filter(pk__in=coder_ids).values_list("id", "username"))
    for segment_id, code_id, start, end, coder_id in raw:
        who = names.get(coder_id, "") if coder_id is not None else "final"
        by_segment[segment_id].setdefault((code_id, start, end), set()).add(who)
    paths = {c["id"]: c["path"] for c in retrieval.codebook.codes}
    context = _context(segments)
    passages = []
    for row in segments:
        codings = sorted(
            by_segment[row["segment"]].items(), key=lambda item: (paths[item[0][0]], item[0][1] or -1)
        )
        spans = [
            (s - row["start_offset"], e - row["start_offset"]) for (_, s, e), _ in codings if s is not None
        ]
        text = row.pop("text")
        row["pieces"] = pieces_marked(text, spans)
        row["whole_segment"] = any(s is None for (_, s, _), _ in codings)
        row["codings"] = [
            {
                "code": code_id,
                "code_path": paths[code_id],
                "span": None if s is None else [s - row["start_offset"], e - row["start_offset"]],
                "by": sorted(who),
            }
            for (code_id, s, e), who in codings
        ]
        for key, delta in (("before", -1), ("after", 1)):
            near = context.get((row["document"]["id"], row["position"] + delta))
            row[key] = (
                None
                if near is None
                else {k: near[k] for k in ("segment", "segment_number", "speaker", "role", "text")}
            )
        passages.append(row)
    return passages


def retrieval_page(retrieval: Retrieval, *, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    found = segments_ordered(retrieval.segments)
    first, last, pages = page_bounds(page=page, page_size=page_size, total=found.total)
    return {
        "title": retrieval.title,
        "source": retrieval.source.name,
        "source_words": SOURCE_WORDS[retrieval.source.name],
        "coder": retrieval.source.coder,
        "passages_total": found.total,
        "cases_matched": len(found.cases),
        "cases_total": case_scope(
            project_id=retrieval.membership.project_id, filters=retrieval.filters
        ).count(),
        "page": page,
        "pages": pages,
        "page_size": page_size,
        "results": passage_rows(retrieval, segment_rows_of(found.ids[first:last])),
    }


def retrieval_iter(retrieval: Retrieval, *, batch: int = 200) -> Iterator[dict[str, Any]]:
    """Every passage, a batch at a time: the retrieval's segments are read once, in order
    (``segments_ordered``), then completed a batch at a time."""
    ids = segments_ordered(retrieval.segments).ids
    for start in range(0, len(ids), batch):
        yield from passage_rows(retrieval, segment_rows_of(ids[start : start + batch]))
