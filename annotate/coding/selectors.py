"""Reads of codings, scoped to what the requesting member may see.

Blind coding, the one rule every reading endpoint goes through (``coding_blind_filter``):

- owners and adjudicators see every coding;
- once the project is released (``Project.codings_released_at``), every member sees every coding;
- before that, a coder sees their own codings, plus those on units that have been adjudicated; a viewer
  sees only codings on adjudicated units.

The rule applies to every unit, not only to the double-coded ones: a coder has no need of colleagues'
codings on single-coded units, and a rule that differed between the two would itself tell a coder
which units are in the reliability sample (and so which ones a colleague is coding too).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound

from annotate.assignments.models import AssignmentStatus
from annotate.codebook.models import Code
from annotate.core.sql import db_datetime
from annotate.projects.models import Membership, Role

from .models import Coding, SegmentCodingVersion


def coding_blind_filter(
    *, membership: Membership, owner_field: str = "coder", segment_field: str = "segment"
):
    """The Q a member's reads of codings (or segment memos: ``owner_field="author"``) must pass, or None
    when the member sees everything. ``membership.project`` must be loaded (it is, by ``membership_get``)."""
    if membership.role in (Role.OWNER, Role.ADJUDICATOR):
        return None
    if membership.project.codings_released_at is not None:
        return None
    adjudicated = Q(**{f"{segment_field}__assignment_unit__adjudicated_at__isnull": False})
    if membership.role == Role.CODER:
        return Q(**{f"{owner_field}_id": membership.user_id}) | adjudicated
    return adjudicated


def coding_list_visible(*, membership: Membership, filters: dict | None = None) -> QuerySet[Coding]:
    filters = filters or {}
    qs = Coding.objects.filter(project_id=membership.project_id)
    blind = coding_blind_filter(membership=membership)
    if blind is not None:
        qs = qs.filter(blind)
    if filters.get("document") is not None:
        qs = qs.filter(segment__document_id=filters["document"])
    if filters.get("segment") is not None:
        qs = qs.filter(segment_id=filters["segment"])
    if filters.get("code") is not None:
        qs = qs.filter(code_id=filters["code"])
    if filters.get("coder") is not None:
        qs = qs.filter(coder_id=filters["coder"])
    return qs.select_related("coder").order_by("segment_id", "id")


def coding_get_visible(*, membership: Membership, coding_id: int) -> Coding:
    coding = coding_list_visible(membership=membership).filter(pk=coding_id).first()
    if coding is None:
        raise NotFound("Coding not found.")
    return coding


_SET_ITEMS_SQL = (
    "SELECT c.id, c.project_id, c.segment_id, c.code_id, c.coder_id, c.codebook_version_id, "
    "c.span_start, c.span_end, c.created_at, k.name, k.is_active "
    "FROM coding_coding c JOIN codebook_code k ON k.id = c.code_id "
    "WHERE c.coder_id = %s AND c.segment_id = %s "
    "ORDER BY c.code_id, c.span_start, c.span_end, c.id"
)


def coding_set_items_statement(*, coder_id: int, segment_id: int) -> tuple[str, list[int]]:
    """The statement behind ``coding_set_items``, for callers that batch it (annotate.core.sql)."""
    return _SET_ITEMS_SQL, [coder_id, segment_id]


def coding_set_items_from_rows(rows) -> list[Coding]:
    codings = []
    for pk, project, segment, code, coder, version, start, end, created_at, name, active in rows:
        created = db_datetime(created_at)
        assert created is not None  # the column is not null
        coding = Coding(
            id=pk,
            project_id=project,
            segment_id=segment,
            code_id=code,
            coder_id=coder,
            codebook_version_id=version,
            span_start=start,
            span_end=end,
            created_at=created,
        )
        coding.code = Code(id=code, name=name, is_active=bool(active))
        codings.append(coding)
    return codings


def coding_set_items(*, coder_id: int, segment_id: int) -> list[Coding]:
    """One coder's own codings on one segment, each with its code's name and state loaded. Hand-written
    SQL: every "next" and every code change of the coding loop reads it (``annotate.core.sql``)."""
    with connection.cursor() as cursor:
        cursor.execute(*coding_set_items_statement(coder_id=coder_id, segment_id=segment_id))
        return coding_set_items_from_rows(cursor.fetchall())


def coding_set_get(*, coder_id: int, segment_id: int) -> tuple[list[Coding], int]:
    """One coder's own codings on one segment, with the set's version (0 before any change). Always the
    caller's own set: it reveals nothing of colleagues."""
    version = (
        SegmentCodingVersion.objects.filter(coder_id=coder_id, segment_id=segment_id)
        .values_list("version", flat=True)
        .first()
    )
    return coding_set_items(coder_id=coder_id, segment_id=segment_id), version or 0


# --- for the agreement engine ------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingsSnapshot:
    """Who rated which codable segment, and with which codes, as integer arrays (see AGREEMENT.md §1).

    A rating is a done assignment: the coder's set of codes on the unit, possibly empty. Units are the
    segments with at least one rating, in queue order; coders and codes are sorted by id.

    - ``unit_ids``, ``coder_ids``, ``code_ids``: the ids behind each index.
    - ``rating_unit``, ``rating_coder`` (int32, one entry per rating): the rated mask in sparse form;
      ``rated`` is the same as a dense (units × coders) bool matrix.
    - ``coding_unit``, ``coding_coder``, ``coding_code`` (int32, one entry per code in a rating): the
      codes of the ratings (a code applied to the segment or to any span in it counts once).
    - ``counts`` and ``digest``: what the snapshot holds, and a SHA-256 of its arrays, so a result can
      name exactly the input it was computed from.
    """

    unit_ids: np.ndarray
    coder_ids: np.ndarray
    code_ids: np.ndarray
    rating_unit: np.ndarray
    rating_coder: np.ndarray
    coding_unit: np.ndarray
    coding_coder: np.ndarray
    coding_code: np.ndarray
    counts: dict
    digest: str

    @property
    def rated(self) -> np.ndarray:
        mask = np.zeros((len(self.unit_ids), len(self.coder_ids)), dtype=bool)
        mask[self.rating_unit, self.rating_coder] = True
        return mask


def coding_ratings_snapshot(
    *, project_id: int, document_ids: list[int] | None = None, coder_ids: list[int] | None = None
) -> RatingsSnapshot:
    """The ratings of the project's codable segments as they stand, in two queries: the codes of the
    codebook, and one statement (so one consistent snapshot) joining done assignments to their codings."""
    code_ids = np.array(
        sorted(Code.objects.filter(codebook__project_id=project_id).values_list("id", flat=True)),
        dtype=np.int64,
    )
    sql = [
        "SELECT a.segment_id, a.coder_id, c.code_id FROM assignments_assignment a",
        "JOIN documents_segment s ON s.id = a.segment_id",
        # LEFT JOIN: a done assignment without codings is a rating too (the empty set).
        "LEFT JOIN coding_coding c ON c.segment_id = a.segment_id AND c.coder_id = a.coder_id",
        "WHERE a.project_id = %s AND a.status = %s AND s.codable",
    ]
    params: list = [project_id, AssignmentStatus.DONE.value]
    for column, ids in (("s.document_id", document_ids), ("a.coder_id", coder_ids)):
        if ids is not None:
            ids = [int(i) for i in ids] or [-1]
            sql.append(f"AND {column} IN ({', '.join(['%s'] * len(ids))})")
            params += ids
    sql.append('ORDER BY a."order", a.coder_id, c.code_id')
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        rows = cursor.fetchall()
    units: dict[int, int] = {}
    coders = sorted({coder for _, coder, _ in rows})
    coder_index = {coder: i for i, coder in enumerate(coders)}
    code_index = {int(code): i for i, code in enumerate(code_ids)}
    ratings: set[tuple[int, int]] = set()
    codings: set[tuple[int, int, int]] = set()
    for segment_id, coder, code in rows:
        u = units.setdefault(segment_id, len(units))
        c = coder_index[coder]
        ratings.add((u, c))
        if code is not None:
            codings.add((u, c, code_index[code]))
    rating_arr = np.array(sorted(ratings), dtype=np.int32).reshape(-1, 2)
    coding_arr = np.array(sorted(codings), dtype=np.int32).reshape(-1, 3)
    unit_ids = np.array(list(units), dtype=np.int64)
    coder_arr = np.array(coders, dtype=np.int64)
    digest = hashlib.sha256()
    for array in (unit_ids, coder_arr, code_ids, rating_arr, coding_arr):
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    per_unit = np.bincount(rating_arr[:, 0], minlength=len(unit_ids)) if len(rating_arr) else np.zeros(0)
    counts = {
        "units": len(unit_ids),
        "coders": len(coder_arr),
        "codes": len(code_ids),
        "ratings": len(rating_arr),
        "codings": len(coding_arr),
        "pairable_units": int((per_unit >= 2).sum()),
    }
    return RatingsSnapshot(
        unit_ids=unit_ids,
        coder_ids=coder_arr,
        code_ids=code_ids,
        rating_unit=rating_arr[:, 0].copy(),
        rating_coder=rating_arr[:, 1].copy(),
        coding_unit=coding_arr[:, 0].copy(),
        coding_coder=coding_arr[:, 1].copy(),
        coding_code=coding_arr[:, 2].copy(),
        counts=counts,
        digest=digest.hexdigest(),
    )
