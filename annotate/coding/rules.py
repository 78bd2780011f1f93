"""The rules every write of a coder's codings shares, whichever endpoint makes it (``services`` here: one
coding at a time; ``annotate.coding_loop``: a coder's whole set on a segment, the loop's ``PUT``).

Who may code a segment: a coder or adjudicator who holds an assignment of it (not yet marked done; a
done unit is reopened first), or an owner (anywhere). Adjudicators code like coders, only what they are
assigned: a coding is a rating, and unplanned ratings would bend the reliability design; their
adjudication decisions have their own record (``annotate.adjudication``).

Every change to a coder's set on a segment bumps that (coder, segment)'s ``SegmentCodingVersion``, whichever
endpoint made it, so a client that acted on a stale view is refused. The statements are written by hand
(``annotate.core.sql``): the loop sends them in one round trip; tables are named through their models.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.utils import timezone

from annotate.assignments.models import Assignment, AssignmentStatus
from annotate.codebook.models import Code, Codebook, CodebookVersion
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.core.sql import db_datetime_param, for_update
from annotate.documents.models import Document, Segment
from annotate.projects.models import Membership, Role
from annotate.projects.permissions import CODERS

from .models import Coding, SegmentCodingVersion

MAX_CODINGS_PER_SET = 500
ASSIGNMENT = Assignment._meta.db_table
SET_VERSION = SegmentCodingVersion._meta.db_table
SEGMENT = Segment._meta.db_table
DOCUMENT = Document._meta.db_table
CODE = Code._meta.db_table
CODEBOOK = Codebook._meta.db_table
CODEBOOK_VERSION = CodebookVersion._meta.db_table


@dataclass(frozen=True)
class CodingSpec:
    """One coding of a set: a code, segment-level (``span`` None) or on a code-point span [start, end)."""

    code_id: int
    span: tuple[int, int] | None = None

    @property
    def key(self) -> tuple[int, int | None, int | None]:
        start, end = self.span if self.span is not None else (None, None)
        return (self.code_id, start, end)


def coding_image(coding: Coding) -> dict:
    return {
        "segment": coding.segment_id,
        "code": coding.code_id,
        "coder": coding.coder_id,
        "codebook_version": coding.codebook_version_id,
        "span": [coding.span_start, coding.span_end] if coding.span_start is not None else None,
    }


def coding_key(coding: Coding) -> tuple[int, int | None, int | None]:
    return (coding.code_id, coding.span_start, coding.span_end)


# --- the checks every write shares -------------------------------------------------------------------


def check_coder(*, project_id: int, coder, segment: Segment, role: str | None = None) -> Assignment | None:
    """The coder may change their codings on this segment: return their assignment row, locked and its
    claim renewed (None for an owner coding outside any plan). Raises with the reason otherwise. ``role``:
    the coder's role when the caller has just read their membership (the API has), else it is read here."""
    role = check_role_and_segment(project_id=project_id, coder=coder, segment=segment, role=role)
    with connection.cursor() as cursor:
        cursor.execute(*assignment_touch_statement(project_id=project_id, coder=coder, segment_id=segment.pk))
        rows = cursor.fetchall()
    return assignment_held(rows, project_id=project_id, coder=coder, segment=segment, role=role)


def check_role_and_segment(*, project_id: int, coder, segment: Segment, role: str | None) -> str:
    if role is None:
        role = (
            Membership.objects.filter(project_id=project_id, user=coder)
            .values_list("role", flat=True)
            .first()
        )
    if role not in CODERS:
        raise ApplicationError("Only coders, adjudicators and owners of this project can code.", status=403)
    if segment.document.project_id != project_id:
        raise ApplicationError("That segment belongs to another project.")
    if not segment.codable:
        raise ApplicationError("This segment is context (e.g. an interviewer's turn) and is not coded.")
    return role


def assignment_touch_statement(*, project_id: int, coder, segment_id: int) -> tuple[str, list]:
    """Lock the coder's assignment of the segment and renew its claim, in one statement: activity on a
    held unit renews its claim (an abandoned claim is one nobody touches). A refused change rolls the
    renewal back with it."""
    now = db_datetime_param(timezone.now())
    return (
        f"UPDATE {ASSIGNMENT} SET last_activity_at = %s, claimed_at = %s "  # noqa: S608
        "WHERE project_id = %s AND segment_id = %s AND coder_id = %s RETURNING id, status",
        [now, now, project_id, segment_id, coder.pk],
    )


def assignment_held(rows, *, project_id: int, coder, segment: Segment, role: str) -> Assignment | None:
    assignment = None
    if rows:
        ((pk, status),) = rows
        assignment = Assignment(
            id=pk, project_id=project_id, segment_id=segment.pk, coder=coder, status=status
        )
    if assignment is None and role != Role.OWNER:
        raise ApplicationError("This unit is not assigned to you.", status=403)
    if assignment is not None and assignment.status == AssignmentStatus.DONE:
        raise ConflictError("You marked this unit done; reopen it to change its codes.")
    return assignment


def check_span(segment: Segment, span: tuple[int, int] | None) -> None:
    if span is None:
        return
    start, end = span
    if not (segment.start_offset <= start < end <= segment.end_offset):
        raise ApplicationError(
            f"The span [{start}, {end}) must lie inside its segment "
            f"[{segment.start_offset}, {segment.end_offset}) and not be empty."
        )


def codes_statement(*, project_id: int, code_ids: list[int]) -> tuple[str, list]:
    """The codes among ``code_ids`` that are in the project's codebook, each with its name, state and the
    id of the codebook version in force. The code rows are key-share-locked to the end of the transaction:
    a merge or deactivation of one of them (which locks it for update) waits for this coding to commit and
    then moves it, or this waits for the merge and then sees the code inactive; a coding can never land
    on a code that a concurrent merge has already emptied. Coders do not wait for each other here."""
    return (
        f"SELECT k.id, k.name, k.is_active, (SELECT v.id FROM {CODEBOOK_VERSION} v "  # noqa: S608
        "  WHERE v.codebook_id = k.codebook_id ORDER BY v.number DESC LIMIT 1) "
        f"FROM {CODE} k JOIN {CODEBOOK} cb ON cb.id = k.codebook_id "
        f"WHERE cb.project_id = %s AND k.id IN ({', '.join(['%s'] * len(code_ids))})"
        f"{for_update(of='k', share=True)}",
        [project_id, *code_ids],
    )


def check_new_codes(rows, *, code_ids: set[int]) -> tuple[dict[int, Code], int | None]:
    """Codes being applied must be in the project's current codebook and active (every change to the
    codebook makes a new version, so a code that exists and is active is in the current version).
    ``rows``: ``codes_statement``'s for these codes (or more). Returns the codes by id and the id of the
    codebook version in force."""
    if not code_ids:
        return {}, None
    found = {pk: (name, bool(active), version) for pk, name, active, version in rows}
    missing = sorted(code_ids - set(found))
    if missing:
        raise ApplicationError(
            f"Codes {missing} are not in this project's codebook.", extra={"codes": missing}
        )
    inactive = sorted(found[i][0] for i in code_ids if not found[i][1])
    if len(inactive) == 1:
        raise ApplicationError(
            f"The code {inactive[0]!r} is deactivated; it can no longer be applied.",
            extra={"codes": inactive},
        )
    if inactive:
        raise ApplicationError(
            f"The codes {inactive} are deactivated; they can no longer be applied.", extra={"codes": inactive}
        )
    codes = {i: Code(id=i, name=name, is_active=active) for i, (name, active, _) in found.items()}
    return codes, found[next(iter(code_ids))][2]


def version_lock_statement(*, project_id: int, coder_id: int, segment_id: int) -> tuple[str, list]:
    """The (coder, segment) version row, created at 0 if new, locked for this transaction: concurrent
    writers of one coder's set on one segment queue here, and each sees the version the other left. No
    row (nothing locked) for a segment that is not the project's."""
    return (
        f"INSERT INTO {SET_VERSION} (project_id, coder_id, segment_id, version, updated_at) "  # noqa: S608
        f"SELECT %s, %s, s.id, 0, %s FROM {SEGMENT} s "
        f"JOIN {DOCUMENT} d ON d.id = s.document_id WHERE s.id = %s AND d.project_id = %s "
        "ON CONFLICT (coder_id, segment_id) "
        f"DO UPDATE SET version = {SET_VERSION}.version RETURNING version",
        [project_id, coder_id, db_datetime_param(timezone.now()), segment_id, project_id],
    )


def version_lock(*, project_id: int, coder_id: int, segment_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            *version_lock_statement(project_id=project_id, coder_id=coder_id, segment_id=segment_id)
        )
        return cursor.fetchone()[0]


def version_bump_statement(*, coder_id: int, segment_id: int, version: int) -> tuple[str, list]:
    return (
        f"UPDATE {SET_VERSION} SET version = %s, updated_at = %s "  # noqa: S608
        "WHERE coder_id = %s AND segment_id = %s",
        [version + 1, db_datetime_param(timezone.now()), coder_id, segment_id],
    )


def version_bump(*, coder_id: int, segment_id: int, version: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(*version_bump_statement(coder_id=coder_id, segment_id=segment_id, version=version))
    return version + 1


def coding_versions_bump(*, pairs: set[tuple[int, int]]) -> None:
    """For services outside this module that change codings (e.g. a code merge): bump each
    (coder id, segment id)'s version so clients holding the old set get 409 rather than undo it."""
    for coder_id, segment_id in sorted(pairs):
        SegmentCodingVersion.objects.filter(coder_id=coder_id, segment_id=segment_id).update(
            version=F("version") + 1, updated_at=timezone.now()
        )


def sorted_codings(codings) -> list[Coding]:
    return sorted(codings, key=lambda c: (c.code_id, c.span_start or -1, c.span_end or -1, c.pk))
