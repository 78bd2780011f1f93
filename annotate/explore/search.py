"""Full-text search of a project's transcripts: the matching segments, grouped by case ("11 of 16
cases"), a page at a time, with the matches marked.

The index is the database's (migration 0001): PostgreSQL's full-text search over a GIN index, or SQLite's
FTS5 on the embedded default. Both fold case and accents; the query language is in ``query.py``. Search
reads text, which every member may read; only the code filter depends on codings, and it reads them as
every code-based view does (``scope.coding_source``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL

from annotate.core.exceptions import ApplicationError
from annotate.projects.models import Membership

from .query import SearchQuery, SearchSyntaxError, highlight, parse, to_fts5_match, to_tsquery_text
from .scope import (
    Codebook,
    SegmentFilters,
    case_scope,
    code_ids_resolve,
    codebook_read,
    coding_source,
    page_bounds,
    segment_rows_of,
    segment_scope,
    segments_ordered,
)
from .words import kwic_lines


def search_parse(text: str) -> SearchQuery:
    try:
        return parse(text)
    except SearchSyntaxError as error:
        raise ApplicationError(str(error)) from None


def matching_segment_ids(*, project_id: int, query: SearchQuery) -> RawSQL:
    """The ids of the project's segments matching ``query``, as a subquery the index answers."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT segment_id FROM explore_segmentsearch WHERE project_id = %s "
            "AND vector @@ to_tsquery('simple'::regconfig, explore_unaccent(%s))",
            [project_id, to_tsquery_text(query)],
        )
    # FTS5's rowid is the segment id; the outer query keeps the project's segments.
    return RawSQL(
        "SELECT rowid FROM explore_segment_fts WHERE explore_segment_fts MATCH %s", [to_fts5_match(query)]
    )


@dataclass(frozen=True)
class SearchRequest:
    """What a search asks: the query text, the segments' filters, optionally a code (the segments coded
    with it, or a sub-code, in ``source``), and the page."""

    membership: Membership
    text: str
    filters: SegmentFilters
    code: int | None = None
    source: str | None = None
    page: int = 1
    page_size: int = 20


def _matching(request: SearchRequest):
    """(query, the matching segments in scope, the coding source's name when a code filters them)."""
    query = search_parse(request.text)
    project_id = request.membership.project_id
    segments = segment_scope(project_id=project_id, filters=request.filters).filter(
        pk__in=matching_segment_ids(project_id=project_id, query=query)
    )
    source_name = None
    if request.code is not None:
        codebook: Codebook = codebook_read(project_id=project_id)
        (wanted,) = code_ids_resolve(codebook=codebook, ids=[request.code])
        coding = coding_source(membership=request.membership, source=request.source)
        segments = segments.filter(coding.segments_with(wanted))
        source_name = coding.name
    return query, segments, source_name


def search(request: SearchRequest) -> dict[str, Any]:
    """``{query, segments, cases_matched, cases_total, cases: [{id, identifier, segments}], page, pages,
    results: [segment rows with ``pieces``]}``."""
    query, segments, source_name = _matching(request)
    found = segments_ordered(segments)
    first, last, pages = page_bounds(page=request.page, page_size=request.page_size, total=found.total)
    rows = segment_rows_of(found.ids[first:last])
    for row in rows:
        row["pieces"] = highlight(row.pop("text"), query)
    return {
        "query": request.text.strip(),
        "source": source_name,
        "segments": found.total,
        "cases_matched": len(found.cases),
        "cases_total": case_scope(project_id=request.membership.project_id, filters=request.filters).count(),
        "cases": [{"id": c, "identifier": identifier, "segments": n} for c, identifier, n in found.cases],
        "page": request.page,
        "pages": pages,
        "page_size": request.page_size,
        "results": rows,
    }


def kwic(request: SearchRequest) -> dict[str, Any]:
    """Keyword-in-context lines of a search: ``{query, segments, page, pages, lines: [{case, document,
    segment_number, speaker, left, keyword, right}]}``, a page of matching segments at a time."""
    query, segments, _ = _matching(request)
    found = segments_ordered(segments)
    first, last, pages = page_bounds(page=request.page, page_size=request.page_size, total=found.total)
    rows = segment_rows_of(found.ids[first:last])
    return {
        "query": request.text.strip(),
        "segments": found.total,
        "page": request.page,
        "pages": pages,
        "page_size": request.page_size,
        "lines": kwic_lines(rows, query),
    }
