"""Full-text search of a project's transcripts: the matching segments, grouped by case ("11 of 16
cases"), a page at a time, with the matches marked.

The index is the database's (migration 0001): PostgreSQL's full-text search over a GIN index, or SQLite's
FTS5 on the embedded default. Both fold case and accents; the query language is in ``query.py``. Search
reads text, which every member may read; only the code filter depends on codings, and it reads them as
every code-based view does (``scope.coding_source``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count
from django.db.models.expressions import RawSQL

from annotate.core.exceptions import ApplicationError
from annotate.projects.models import Membership

from .query import SearchQuery, SearchSyntaxError, highlight, parse, to_fts5_match, to_tsquery_text
from .scope import (
    SEGMENT_ORDER,
    Codebook,
    SegmentFilters,
    case_scope,
    code_ids_resolve,
    codebook_read,
    coding_source,
    page_bounds,
    segment_rows,
    segment_scope,
)


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


def search(
    *,
    membership: Membership,
    text: str,
    filters: SegmentFilters,
    code: int | None = None,
    source: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    """``{query, segments, cases_matched, cases_total, cases: [{id, identifier, segments}], page, pages,
    results: [segment rows with ``pieces``]}``; ``code``: only segments coded with it (or a sub-code) in
    ``source``."""
    query = search_parse(text)
    project_id = membership.project_id
    segments = segment_scope(project_id=project_id, filters=filters).filter(
        pk__in=matching_segment_ids(project_id=project_id, query=query)
    )
    source_name = None
    if code is not None:
        codebook: Codebook = codebook_read(project_id=project_id)
        (wanted,) = code_ids_resolve(codebook=codebook, ids=[code])
        coding = coding_source(membership=membership, source=source)
        segments = segments.filter(coding.segments_with(wanted))
        source_name = coding.name
    per_case = list(
        segments.values("document__case_id", "document__case__identifier")
        .annotate(n=Count("id"))
        .order_by("document__case__identifier")
    )
    total = sum(row["n"] for row in per_case)
    first, last, pages = page_bounds(page=page, page_size=page_size, total=total)
    rows = segment_rows(segments.order_by(*SEGMENT_ORDER)[first:last]) if total else []
    for row in rows:
        row["pieces"] = highlight(row.pop("text"), query)
    return {
        "query": text.strip(),
        "source": source_name,
        "segments": total,
        "cases_matched": len(per_case),
        "cases_total": case_scope(project_id=project_id, filters=filters).count(),
        "cases": [
            {"id": r["document__case_id"], "identifier": r["document__case__identifier"], "segments": r["n"]}
            for r in per_case
        ],
        "page": page,
        "pages": pages,
        "page_size": page_size,
        "results": rows,
    }
