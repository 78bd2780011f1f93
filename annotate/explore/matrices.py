"""Matrices of a project's coding: code × case, code × case-attribute value, and code co-occurrence.

Counted from the codings of a source (``scope.coding_source``; the final coding by default for the UI),
over the segments in scope. A cell counts distinct segments. In the code × case and code × attribute
matrices a code counts its sub-codes' segments too (a theme gathers its codes); co-occurrence is between
codes as applied (a theme and its own codes would otherwise always co-occur). Every cell is a code query
that ``passages.py`` retrieves: the drill-down from a cell lists exactly the segments it counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from rest_framework.exceptions import NotFound
from scipy import sparse

from annotate.cases.models import AttributeDefinition, AttributeValue
from annotate.core.exceptions import ApplicationError
from annotate.core.sql import integer_columns
from annotate.projects.models import Membership

from .scope import (
    SOURCE_WORDS,
    Codebook,
    CodingSource,
    SegmentFilters,
    case_scope,
    codebook_read,
    coding_source,
    segment_scope,
)


@dataclass
class Coded:
    """The coding a matrix counts, as 0/1 sparse matrices: ``segments`` (segments in scope × codes in
    codebook order: coded with it in the source, whoever applied it, on the segment or a span of it), and
    ``case_of`` (cases × segments: the segment's case, ``case_ids`` the cases' ids)."""

    source: CodingSource
    codebook: Codebook
    segments: sparse.csr_array
    case_ids: np.ndarray
    case_of: sparse.csr_array

    def rolled_up(self) -> sparse.csr_array:
        """``segments`` with each code counting its sub-codes' segments (a theme gathers its codes)."""
        index = {c["id"]: i for i, c in enumerate(self.codebook.codes)}
        pairs = [
            (index[code], index[up]) for code, chain in self.codebook.ancestors().items() for up in chain
        ]
        rows, cols = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
        n = len(index)
        up = sparse.csr_array((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(n, n))
        return _binary(self.segments @ up)

    def per_case(self, matrix: sparse.csr_array) -> np.ndarray:
        """Cases × codes: the segments of each case that ``matrix`` marks for each code."""
        return np.asarray((self.case_of @ matrix).todense(), dtype=np.int64)


def _binary(matrix) -> sparse.csr_array:
    matrix = sparse.csr_array(matrix)
    matrix.sum_duplicates()
    matrix.data = np.ones_like(matrix.data, dtype=np.int64)
    return matrix


def _positions(
    ids: np.ndarray, values: np.ndarray, sorter: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``values`` stands in ``ids`` (sorted, or in the order ``sorter`` sorts them), and
    whether it is there at all (the position of one that is not is meaningless)."""
    if not len(ids):
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ids, values, sorter=sorter), len(ids) - 1)
    if sorter is not None:
        at = sorter[at]
    return at, ids[at] == values


def _coded(*, membership: Membership, filters: SegmentFilters, source: str | None, coder: int | None):
    """The coding in scope (``Coded``), read as integer arrays (one database pass per part)."""
    coding = coding_source(membership=membership, source=source, coder=coder)
    codebook = codebook_read(project_id=membership.project_id)
    scope = segment_scope(project_id=membership.project_id, filters=filters)
    in_scope = integer_columns(scope.order_by("id").values_list("id", "document__case_id"), 2)
    segment_ids, segment_cases = in_scope[:, 0], in_scope[:, 1]
    # Unfiltered, the scope is every segment of the project, which the codings (of this project) are on
    # anyway: reading them without the semi-join to the scope halves the database's work on large
    # projects. Pairs outside the scope are dropped below either way.
    unfiltered = filters == SegmentFilters()
    pairs = np.concatenate(
        [
            integer_columns(
                (part if unfiltered else part.filter(segment__in=scope))
                .order_by()
                .values_list("segment_id", "code_id"),
                2,
            )
            for part in coding.parts
        ]
        or [np.zeros((0, 2), dtype=np.int64)]
    )
    code_ids = np.array(codebook.ids, dtype=np.int64)
    columns, known_code = _positions(code_ids, pairs[:, 1], sorter=np.argsort(code_ids))
    rows, in_scope = _positions(segment_ids, pairs[:, 0])
    known = known_code & in_scope
    segments = _binary(
        sparse.csr_array(
            (np.ones(int(known.sum()), dtype=np.int64), (rows[known], columns[known])),
            shape=(len(segment_ids), len(code_ids)),
        )
    )
    case_ids, case_row = np.unique(segment_cases, return_inverse=True)
    case_of = sparse.csr_array(
        (np.ones(len(segment_ids), dtype=np.int64), (case_row, np.arange(len(segment_ids)))),
        shape=(len(case_ids), len(segment_ids)),
    )
    return Coded(source=coding, codebook=codebook, segments=segments, case_ids=case_ids, case_of=case_of)


def _head(coding, codebook) -> dict[str, Any]:
    return {
        "source": coding.name,
        "source_words": SOURCE_WORDS[coding.name],
        "coder": coding.coder,
        "codes": [{k: c[k] for k in ("id", "name", "path", "depth", "colour")} for c in codebook.codes],
    }


def _rolled_up_by_case(coded: Coded) -> tuple[dict[int, int], np.ndarray, np.ndarray]:
    """({case id: row}, cases × codes segment counts and codes' segment totals, sub-codes rolled up)."""
    rolled = coded.rolled_up()
    return (
        {int(case): i for i, case in enumerate(coded.case_ids)},
        coded.per_case(rolled),
        np.asarray(rolled.sum(axis=0), dtype=np.int64).ravel(),
    )


def matrix_code_case(
    *, membership: Membership, filters: SegmentFilters, source: str | None = None, coder: int | None = None
) -> dict[str, Any]:
    """``{source, codes, cases: [{id, identifier}], rows: [{code, segments, cases, counts: [per case]}]}``:
    ``cases`` of a row is the n of "n of N cases" (N: the cases in scope)."""
    coded = _coded(membership=membership, filters=filters, source=source, coder=coder)
    cases = list(
        case_scope(project_id=membership.project_id, filters=filters)
        .order_by("identifier")
        .values("id", "identifier")
    )
    row_of, counts, totals = _rolled_up_by_case(coded)
    # Codes × the cases in scope, in their order (a case without coded segments has no row: zeros).
    shown = np.zeros((len(coded.codebook.codes), len(cases)), dtype=np.int64)
    at = [(k, row_of[c["id"]]) for k, c in enumerate(cases) if c["id"] in row_of]
    if at:
        columns, case_rows = (list(x) for x in zip(*at, strict=True))
        shown[:, columns] = counts[case_rows, :].T
    rows = [
        {"code": code["id"], "segments": int(total), "cases": int(n), "counts": per_case}
        for code, total, n, per_case in zip(
            coded.codebook.codes,
            totals.tolist(),
            (shown > 0).sum(axis=1).tolist(),
            shown.tolist(),
            strict=True,
        )
    ]
    return {**_head(coded.source, coded.codebook), "cases": cases, "cases_total": len(cases), "rows": rows}


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
    coded = _coded(membership=membership, filters=filters, source=source, coder=coder)
    case_ids = set(case_scope(project_id=membership.project_id, filters=filters).values_list("id", flat=True))
    definition, by_case = _attribute_values(membership.project_id, attribute, case_ids)
    order = [str(c) for c in definition.choices] if definition.choices else []
    order += sorted(set(by_case.values()) - set(order))
    values = [{"value": v, "cases": sum(1 for x in by_case.values() if x == v)} for v in order]
    row_of, counts, _ = _rolled_up_by_case(coded)
    rows = []
    for j, code in enumerate(coded.codebook.codes):
        row_cells = []
        for v in order:
            hit = [
                row_of[c]
                for c, value in by_case.items()
                if value == v and c in row_of and counts[row_of[c], j]
            ]
            row_cells.append({"cases": len(hit), "segments": int(sum(counts[i, j] for i in hit))})
        rows.append({"code": code["id"], "cells": row_cells})
    return {
        **_head(coded.source, coded.codebook),
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
    coded = _coded(membership=membership, filters=filters, source=source, coder=coder)
    codebook = coded.codebook
    units = coded.segments if level == "segment" else _binary(coded.case_of @ coded.segments)
    n = len(codebook.codes)
    both = np.asarray((units.T @ units).todense(), dtype=np.int64).reshape(n, n)
    counts = both.tolist()
    unit_count = int((np.diff(units.indptr) > 0).sum())
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
        **_head(coded.source, codebook),
        "level": level,
        "units": unit_count,
        "counts": counts,
        "jaccard": jaccard,
    }
