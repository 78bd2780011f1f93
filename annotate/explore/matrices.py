"""Matrices of a project's coding: code × case, code × case-attribute value, and code co-occurrence.

Counted from the codings of a source (``scope.coding_source``; the final coding by default for the UI),
over the segments in scope. A cell counts distinct segments. In the code × case and code × attribute
matrices a code counts its sub-codes' segments too (a theme gathers its codes); co-occurrence is between
codes as applied (a theme and its own codes would otherwise always co-occur). Every cell is a code query
that ``passages.py`` retrieves: the drill-down from a cell lists exactly the segments it counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations
from typing import Any

from rest_framework.exceptions import NotFound

from annotate.cases.models import AttributeDefinition, AttributeValue
from annotate.core.exceptions import ApplicationError
from annotate.projects.models import Membership

from .scope import SOURCE_WORDS, SegmentFilters, case_scope, codebook_read, coding_source, segment_scope


def _coded(*, membership: Membership, filters: SegmentFilters, source: str | None, coder: int | None):
    """(source, codebook, {(segment, code, case)}) over the segments in scope."""
    coding = coding_source(membership=membership, source=source, coder=coder)
    codebook = codebook_read(project_id=membership.project_id)
    scope = segment_scope(project_id=membership.project_id, filters=filters)
    triples: set[tuple[int, int, int]] = set()
    for part in coding.parts:
        triples.update(
            part.filter(segment__in=scope)
            .values_list("segment_id", "code_id", "segment__document__case_id")
            .distinct()
            .iterator(chunk_size=5000)
        )
    return coding, codebook, triples


def _head(coding, codebook) -> dict[str, Any]:
    return {
        "source": coding.name,
        "source_words": SOURCE_WORDS[coding.name],
        "coder": coding.coder,
        "codes": [{k: c[k] for k in ("id", "name", "path", "depth", "colour")} for c in codebook.codes],
    }


def _rolled_up(codebook, triples) -> dict[int, dict[int, set[int]]]:
    """code -> case -> segments, each code counting its sub-codes' segments."""
    chains = codebook.ancestors()
    cells: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for segment_id, code_id, case_id in triples:
        for code in chains.get(code_id, [code_id]):
            cells[code][case_id].add(segment_id)
    return cells


def matrix_code_case(
    *, membership: Membership, filters: SegmentFilters, source: str | None = None, coder: int | None = None
) -> dict[str, Any]:
    """``{source, codes, cases: [{id, identifier}], rows: [{code, segments, cases, counts: [per case]}]}``:
    ``cases`` of a row is the n of "n of N cases" (N: the cases in scope)."""
    coding, codebook, triples = _coded(membership=membership, filters=filters, source=source, coder=coder)
    cases = list(
        case_scope(project_id=membership.project_id, filters=filters)
        .order_by("identifier")
        .values("id", "identifier")
    )
    cells = _rolled_up(codebook, triples)
    rows = []
    for code in codebook.codes:
        per_case = cells.get(code["id"], {})
        rows.append(
            {
                "code": code["id"],
                "segments": len(set().union(*per_case.values())) if per_case else 0,
                "cases": sum(1 for c in cases if per_case.get(c["id"])),
                "counts": [len(per_case.get(c["id"], ())) for c in cases],
            }
        )
    return {**_head(coding, codebook), "cases": cases, "cases_total": len(cases), "rows": rows}


def _attribute_values(
    project_id: int, attribute_id: int, case_ids: set[int]
) -> tuple[AttributeDefinition, dict]:
    definition = AttributeDefinition.objects.filter(project_id=project_id, pk=attribute_id).first()
    if definition is None:
        raise NotFound(f"Case attribute {attribute_id} not found in this project.")
    by_case: dict[int, str] = {}
    for row in AttributeValue.objects.filter(attribute=definition, case_id__in=case_ids).values(
        "case_id", "text_value", "number_value", "date_value"
    ):
        value = next(v for v in (row["text_value"], row["number_value"], row["date_value"]) if v is not None)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        by_case[row["case_id"]] = str(value)
    return definition, by_case


def matrix_code_attribute(
    *,
    membership: Membership,
    attribute: int | None,
    filters: SegmentFilters,
    source: str | None = None,
    coder: int | None = None,
) -> dict[str, Any]:
    """``{…, attribute: {id, name}, values: [{value, cases}], rows: [{code, cells: [{cases, segments}]}]}``:
    per value of the attribute, the cases having it in which the code occurs, out of ``values[].cases``."""
    if attribute is None:
        raise ApplicationError("Name the case attribute to compare by: attribute=<id>.")
    coding, codebook, triples = _coded(membership=membership, filters=filters, source=source, coder=coder)
    case_ids = set(case_scope(project_id=membership.project_id, filters=filters).values_list("id", flat=True))
    definition, by_case = _attribute_values(membership.project_id, attribute, case_ids)
    order = [str(c) for c in definition.choices] if definition.choices else []
    order += sorted(set(by_case.values()) - set(order))
    values = [{"value": v, "cases": sum(1 for x in by_case.values() if x == v)} for v in order]
    cells = _rolled_up(codebook, triples)
    rows = []
    for code in codebook.codes:
        per_case = cells.get(code["id"], {})
        row_cells = []
        for v in order:
            hit = [c for c, segments in per_case.items() if segments and by_case.get(c) == v]
            row_cells.append({"cases": len(hit), "segments": sum(len(per_case[c]) for c in hit)})
        rows.append({"code": code["id"], "cells": row_cells})
    return {
        **_head(coding, codebook),
        "attribute": {"id": definition.id, "name": definition.name},
        "values": values,
        "rows": rows,
    }


def matrix_cooccurrence(
    *,
    membership: Membership,
    filters: SegmentFilters,
    level: str = "segment",
    source: str | None = None,
    coder: int | None = None,
) -> dict[str, Any]:
    """``{…, level, units, counts: [[n]], jaccard: [[j]]}``, codes in codebook order: ``counts[i][j]`` the
    segments (or cases, ``level="case"``) coded with both codes i and j, the diagonal those with code i;
    ``jaccard[i][j]`` = both / either (None when neither occurs)."""
    if level not in ("segment", "case"):
        raise ApplicationError("level is segment or case.")
    coding, codebook, triples = _coded(membership=membership, filters=filters, source=source, coder=coder)
    units: dict[int, set[int]] = defaultdict(set)
    for segment_id, code_id, case_id in triples:
        units[segment_id if level == "segment" else case_id].add(code_id)
    index = {c["id"]: i for i, c in enumerate(codebook.codes)}
    n = len(index)
    counts = [[0] * n for _ in range(n)]
    for codes in units.values():
        ids = sorted(index[c] for c in codes if c in index)
        for i in ids:
            counts[i][i] += 1
        for i, j in combinations(ids, 2):
            counts[i][j] += 1
            counts[j][i] += 1
    jaccard = [
        [
            (
                round(counts[i][j] / either, 4)
                if (either := counts[i][i] + counts[j][j] - counts[i][j])
                else None
            )
            for j in range(n)
        ]
        for i in range(n)
    ]
    return {
        **_head(coding, codebook),
        "level": level,
        "units": len(units),
        "counts": counts,
        "jaccard": jaccard,
    }
