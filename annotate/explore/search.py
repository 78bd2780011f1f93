"""Full-text search of a project's transcripts: the matching segments, grouped by case ("11 of 16
cases"), a page at a time, with the matches marked.

The index is the database's (migrations 0001 and 0002): PostgreSQL's full-text search over a GIN index,
or SQLite's FTS5 on the embedded default. Both fold case and accents; the query language is in
``query.py``. Search reads text, which every member may read; only the code filter depends on codings,
and it reads them as every code-based view does (``scope.coding_source``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from annotate.core.exceptions import ApplicationError
from annotate.core.sql import integer_columns
from annotate.projects.models import Membership

from .models import SegmentSearch
from .query import SearchQuery, SearchSyntaxError, highlight, parse, to_fts5_match, to_tsquery_text
from .scope import (
    Codebook,
    Matches,
    SegmentFilters,
    case_scope,
    code_ids_resolve,
    codebook_read,
    coding_source,
    matches_of,
    page_bounds,
    scope_filter,
    segment_rows_of,
    segment_scope,
)
from .words import kwic_lines


def search_parse(text: str) -> SearchQuery:
    try:
        return parse(text)
    except SearchSyntaxError as error:
        raise ApplicationError(str(error)) from None


def _indexed_match(query: SearchQuery) -> RawSQL:
    """PostgreSQL: the condition on ``explore_segmentsearch`` that its GIN index answers."""
    return RawSQL(
        "explore_segmentsearch.vector @@ to_tsquery('simple'::regconfig, explore_unaccent(%s))",
        [to_tsquery_text(query)],
        output_field=BooleanField(),
    )


def _fts5_matching_ids(query: SearchQuery) -> RawSQL:
    """SQLite: the ids of the segments matching ``query`` (FTS5's rowid is the segment id; the outer query
    keeps the project's segments)."""
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


def _matching(request: SearchRequest) -> tuple[SearchQuery, Matches, str | None]:
    """(query, the matching segments in scope, the coding source's name when a code filters them).

    PostgreSQL reads the index table alone: it carries each segment's transcript, case, analysis order,
    position and role (migration 0002), so neither the filters nor the order join the matches to the
    segments. SQLite's FTS5 table has the segment ids only; there the matches join the segments."""
    query = search_parse(request.text)
    project_id = request.membership.project_id
    if connection.vendor == "postgresql":
        rows = scope_filter(
            SegmentSearch.objects.filter(project_id=project_id),
            project_id=project_id,
            filters=request.filters,
            case_field="case_id",
        ).filter(_indexed_match(query))
        columns = ("segment_id", "case_id", "analysis_order", "document_id", "position")
    else:
        rows = segment_scope(project_id=project_id, filters=request.filters).filter(
            pk__in=_fts5_matching_ids(query)
        )
        columns = ("id", "document__case_id", "document__analysis_order", "document_id", "position")
    source_name = None
    if request.code is not None:
        codebook: Codebook = codebook_read(project_id=project_id)
        (wanted,) = code_ids_resolve(codebook=codebook, ids=[request.code])
        coding = coding_source(membership=request.membership, source=request.source)
        # A Q on the primary key: the segment's id, on Segment as on SegmentSearch.
        rows = rows.filter(coding.segments_with(wanted))
        source_name = coding.name
    with _index_bitmaps_only() if connection.vendor == "postgresql" else nullcontext():
        found = integer_columns(rows.order_by().values_list(*columns), 5)
    return query, matches_of(found), source_name


@contextmanager
def _index_bitmaps_only() -> Iterator[None]:
    """Within this block PostgreSQL reads tables through bitmaps of their indexes only.

    The index rows keep their vectors out of line (migration 0002), which the planner does not count: for
    a word in most segments it would rather read the whole table and test every row's vector, fetching
    each from the TOAST table (200 ms for 100,000 segments), than ask the GIN index (20 ms). Plain index
    scans go too, as they test the vector row by row the same way. Set for this transaction only, and put
    back when an outer transaction goes on after it."""
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
        )
        seqscan, indexscan, _, _ = cursor.fetchone()
        yield  # on an error, the rollback of the block puts the settings back
        if outer:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)",
                [seqscan, indexscan],
            )


def search(request: SearchRequest) -> dict[str, Any]:
    """``{query, segments, cases_matched, cases_total, cases: [{id, identifier, segments}], page, pages,
    results: [segment rows with ``pieces``]}``."""
    query, found, source_name = _matching(request)
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
    query, found, _ = _matching(request)
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
