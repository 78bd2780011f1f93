"""What a coder sees of a unit: its text, the neighbouring turns, the document's case and its
attributes, the codebook version in force, and their own codes on it (with the set's version); and the
coder's queue counts."""

from __future__ import annotations

from typing import Any

from django.db import connection
from rest_framework.exceptions import NotFound

from annotate.assignments.models import Assignment, AssignmentStatus
from annotate.coding.selectors import coding_set_items_from_rows, coding_set_items_statement
from annotate.core.sql import constant, db_datetime, execute_batch

from .tables import (
    ASSIGNMENT,
    ATTRIBUTE,
    ATTRIBUTE_VALUE,
    CASE,
    CODEBOOK,
    CODEBOOK_VERSION,
    DOCUMENT,
    SEGMENT,
    SET_VERSION,
    UNIT,
)

NEIGHBOURS = 2  # turns of context on each side of the unit


# The unit's own values (document, case, codebook version, set version, the coder's counts) are read once
# in ``t``; the join adds the unit's neighbours, each cut from the transcript in the database.
_CONTEXT_SQL = f"""
WITH t AS (
    SELECT t.id, t.document_id, t.position,
           d.title, d.case_id, c.identifier, u.adjudicated_at IS NOT NULL AS adjudicated,
           v.id AS version_id, v.number AS version_number, v.created_at AS version_created_at,
           (SELECT scv.version FROM {SET_VERSION} scv
            WHERE scv.coder_id = %s AND scv.segment_id = t.id) AS set_version,
           n.held, n.done
    FROM {SEGMENT} t
    JOIN {DOCUMENT} d ON d.id = t.document_id
    JOIN {CASE} c ON c.id = d.case_id
    LEFT JOIN {UNIT} u ON u.segment_id = t.id
    LEFT JOIN (SELECT cv.id, cv.number, cv.created_at FROM {CODEBOOK_VERSION} cv
               JOIN {CODEBOOK} cb ON cb.id = cv.codebook_id
               WHERE cb.project_id = %s ORDER BY cv.number DESC LIMIT 1) v ON 1 = 1
    CROSS JOIN (SELECT COUNT(*) AS held, COUNT(CASE WHEN q.status = {constant(AssignmentStatus.DONE)} THEN 1 END) AS done
                FROM {ASSIGNMENT} q WHERE q.project_id = %s AND q.coder_id = %s) n
    WHERE t.id = %s AND d.project_id = %s
)
SELECT s.id, s.position, s.speaker, s.start_offset, s.end_offset, s.codable,
       substr(d.text, s.start_offset + 1, s.end_offset - s.start_offset),
       t.document_id, t.title, t.case_id, t.identifier, t.adjudicated,
       t.version_id, t.version_number, t.version_created_at, t.set_version, t.held, t.done
FROM t
JOIN {SEGMENT} s ON s.document_id = t.document_id
     AND s.position BETWEEN t.position - %s AND t.position + %s
JOIN {DOCUMENT} d ON d.id = t.document_id
ORDER BY s.position
"""  # noqa: S608

_ATTRIBUTES_SQL = f"""
SELECT a.name, v.text_value, v.number_value, v.date_value
FROM {ATTRIBUTE_VALUE} v JOIN {ATTRIBUTE} a ON a.id = v.attribute_id
WHERE v.case_id = (SELECT d.case_id FROM {SEGMENT} s JOIN {DOCUMENT} d ON d.id = s.document_id
                   WHERE s.id = %s AND d.project_id = %s)
"""  # noqa: S608


def unit_context_statements(*, assignment: Assignment, user) -> list[tuple[str, list[Any]]]:
    """The three queries behind ``unit_context``, for a caller that sends them in its own batch (the
    queue's claim sends them with its audit event: ``queue.next_unit``)."""
    coder, project, segment = user.pk, assignment.project_id, assignment.segment_id
    return [
        (
            _CONTEXT_SQL,
            [coder, project, project, coder, segment, project, NEIGHBOURS, NEIGHBOURS],
        ),
        (_ATTRIBUTES_SQL, [segment, project]),
        coding_set_items_statement(coder_id=coder, segment_id=segment),
    ]


def unit_context(*, assignment: Assignment, user, rows: list | None = None) -> dict[str, Any]:
    """What a coder needs to code a unit: its text, the neighbouring turns, the document's case and its
    attributes, the codebook version in force, and their own codes on it (with the set's version); and
    under ``progress`` the coder's queue counts (as ``queue_counts``), which ``queue/next`` returns too.

    Every "next" runs this, so it is three hand-written queries in one round trip (``annotate.core.sql``):
    the unit with its neighbours, document, case, codebook version, set version and counts; the case's
    attributes; the codes. Texts are cut from the transcript in the database (code points in both
    backends), not loaded whole. ``rows``: those queries' results when the caller already ran them."""
    if rows is None:
        with connection.cursor() as cursor:
            rows = execute_batch(cursor, unit_context_statements(assignment=assignment, user=user))
    rows, attribute_rows, coding_rows = rows
    # SELECTs: they have rows
    assert rows is not None
    assert attribute_rows is not None
    segment = assignment.segment_id
    unit = next((row for row in rows if row[0] == segment), None)
    if unit is None:
        raise NotFound("No such segment in this project.")
    attributes = {
        name: next((v for v in (text, number, date) if v is not None), None)
        for name, text, number, date in attribute_rows
    }
    codings = coding_set_items_from_rows(coding_rows)
    segment_position = unit[1]
    return {
        "segment": {
            "id": unit[0],
            "position": unit[1],
            "speaker": unit[2],
            "start_offset": unit[3],
            "end_offset": unit[4],
            "text": unit[6],
        },
        "assignment": {
            "status": assignment.status,
            "claimed_at": assignment.claimed_at,
            "done_at": assignment.done_at,
            "adjudicated": bool(unit[11]),
        },
        "neighbours": [
            {
                "id": row[0],
                "position": row[1],
                "speaker": row[2],
                "start_offset": row[3],
                "end_offset": row[4],
                "codable": bool(row[5]),
                "text": row[6],
                "before": row[1] < segment_position,
            }
            for row in rows
            if row[0] != unit[0]
        ],
        "document": {
            "id": unit[7],
            "title": unit[8],
            "case": {"id": unit[9], "identifier": unit[10], "attributes": attributes},
        },
        "codebook_version": (
            None
            if unit[12] is None
            else {"id": unit[12], "number": unit[13], "created_at": db_datetime(unit[14])}
        ),
        "codings": {"version": unit[15] or 0, "offset_unit": "codepoint", "items": codings},
        "progress": {"assigned": unit[16], "done": unit[17], "remaining": unit[16] - unit[17]},
    }


def queue_counts(*, project_id: int, user) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(CASE WHEN status = %s THEN 1 END) FROM {ASSIGNMENT} "  # noqa: S608
            "WHERE project_id = %s AND coder_id = %s",
            [AssignmentStatus.DONE, project_id, user.pk],
        )
        assigned, done = cursor.fetchone()
    return {"assigned": assigned, "done": done, "remaining": assigned - done}
