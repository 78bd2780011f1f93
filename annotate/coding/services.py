"""Writes of codings. Each change writes its audit event (with before/after) in the same transaction.

Who may code a segment: a coder or adjudicator who holds an assignment of it (not yet marked done; a
done unit is reopened first), or an owner (anywhere). Adjudicators code like coders, only what they are
assigned: a coding is a rating, and unplanned ratings would bend the reliability design; their
adjudication decisions have their own record (``annotate.adjudication``).

Every change to a coder's set on a segment bumps that (coder, segment)'s ``SegmentCodingVersion``, whichever
endpoint made it, so ``coding_set_replace`` can refuse a client that acted on a stale view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from annotate.assignments.models import Assignment, AssignmentStatus
from annotate.audit.services import audit_record_many
from annotate.codebook.models import Code
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.core.sql import db_datetime_param, execute_batch, for_update, insert_statement
from annotate.documents.models import Segment
from annotate.documents.selectors import segment_from_rows, segment_statement
from annotate.projects.models import Membership, Role
from annotate.projects.permissions import CODERS

from .models import Coding, SegmentCodingVersion
from .selectors import coding_set_items_from_rows, coding_set_items_statement

MAX_CODINGS_PER_SET = 500


@dataclass(frozen=True)
class CodingSpec:
    """One coding of a set: a code, segment-level (``span`` None) or on a code-point span [start, end)."""

    code_id: int
    span: tuple[int, int] | None = None

    @property
    def key(self) -> tuple[int, int | None, int | None]:
        start, end = self.span if self.span is not None else (None, None)
        return (self.code_id, start, end)


@dataclass(frozen=True)
class CodingSetResult:
    codings: list[Coding]
    version: int
    changed: bool
    segment: Segment


def coding_image(coding: Coding) -> dict:
    return {
        "segment": coding.segment_id,
        "code": coding.code_id,
        "coder": coding.coder_id,
        "codebook_version": coding.codebook_version_id,
        "span": [coding.span_start, coding.span_end] if coding.span_start is not None else None,
    }


def _key(coding: Coding) -> tuple[int, int | None, int | None]:
    return (coding.code_id, coding.span_start, coding.span_end)


# --- the checks every write shares -------------------------------------------------------------------


def _check_coder(*, project_id: int, coder, segment: Segment, role: str | None = None) -> Assignment | None:
    """The coder may change their codings on this segment: return their assignment row, locked and its
    claim renewed (None for an owner coding outside any plan). Raises with the reason otherwise. ``role``:
    the coder's role when the caller has just read their membership (the API has), else it is read here."""
    role = _check_role_and_segment(project_id=project_id, coder=coder, segment=segment, role=role)
    with connection.cursor() as cursor:
        cursor.execute(
            *_assignment_touch_statement(project_id=project_id, coder=coder, segment_id=segment.pk)
        )
        rows = cursor.fetchall()
    return _assignment_held(rows, project_id=project_id, coder=coder, segment=segment, role=role)


def _check_role_and_segment(*, project_id: int, coder, segment: Segment, role: str | None) -> str:
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


def _assignment_touch_statement(*, project_id: int, coder, segment_id: int) -> tuple[str, list]:
    """Lock the coder's assignment of the segment and renew its claim, in one statement: activity on a
    held unit renews its claim (an abandoned claim is one nobody touches). A refused change rolls the
    renewal back with it."""
    now = db_datetime_param(timezone.now())
    return (
        "UPDATE assignments_assignment SET last_activity_at = %s, claimed_at = %s "
        "WHERE project_id = %s AND segment_id = %s AND coder_id = %s RETURNING id, status",
        [now, now, project_id, segment_id, coder.pk],
    )


def _assignment_held(rows, *, project_id: int, coder, segment: Segment, role: str) -> Assignment | None:
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


def _check_span(segment: Segment, span: tuple[int, int] | None) -> None:
    if span is None:
        return
    start, end = span
    if not (segment.start_offset <= start < end <= segment.end_offset):
        raise ApplicationError(
            f"The span [{start}, {end}) must lie inside its segment "
            f"[{segment.start_offset}, {segment.end_offset}) and not be empty."
        )


def _codes_statement(*, project_id: int, code_ids: list[int]) -> tuple[str, list]:
    """The codes among ``code_ids`` that are in the project's codebook, each with its name, state and the
    id of the codebook version in force. The code rows are key-share-locked to the end of the transaction:
    a merge or deactivation of one of them (which locks it for update) waits for this coding to commit and
    then moves it, or this waits for the merge and then sees the code inactive; a coding can never land
    on a code that a concurrent merge has already emptied. Coders do not wait for each other here."""
    return (
        "SELECT k.id, k.name, k.is_active, (SELECT v.id FROM codebook_codebookversion v "  # noqa: S608
        "  WHERE v.codebook_id = k.codebook_id ORDER BY v.number DESC LIMIT 1) "
        "FROM codebook_code k JOIN codebook_codebook cb ON cb.id = k.codebook_id "
        f"WHERE cb.project_id = %s AND k.id IN ({', '.join(['%s'] * len(code_ids))})"
        f"{for_update(of='k', share=True)}",
        [project_id, *code_ids],
    )


def _check_new_codes(rows, *, code_ids: set[int]) -> tuple[dict[int, Code], int | None]:
    """Codes being applied must be in the project's current codebook and active (every change to the
    codebook makes a new version, so a code that exists and is active is in the current version).
    ``rows``: ``_codes_statement``'s for these codes (or more). Returns the codes by id and the id of the
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


def _version_lock_statement(*, project_id: int, coder_id: int, segment_id: int) -> tuple[str, list]:
    """The (coder, segment) version row, created at 0 if new, locked for this transaction: concurrent
    writers of one coder's set on one segment queue here, and each sees the version the other left. No
    row (nothing locked) for a segment that is not the project's."""
    return (
        "INSERT INTO coding_segmentcodingversion (project_id, coder_id, segment_id, version, updated_at) "
        "SELECT %s, %s, s.id, 0, %s FROM documents_segment s "
        "JOIN documents_document d ON d.id = s.document_id WHERE s.id = %s AND d.project_id = %s "
        "ON CONFLICT (coder_id, segment_id) "
        "DO UPDATE SET version = coding_segmentcodingversion.version RETURNING version",
        [project_id, coder_id, db_datetime_param(timezone.now()), segment_id, project_id],
    )


def _version_lock(*, project_id: int, coder_id: int, segment_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            *_version_lock_statement(project_id=project_id, coder_id=coder_id, segment_id=segment_id)
        )
        return cursor.fetchone()[0]


def _version_bump_statement(*, coder_id: int, segment_id: int, version: int) -> tuple[str, list]:
    return (
        "UPDATE coding_segmentcodingversion SET version = %s, updated_at = %s "
        "WHERE coder_id = %s AND segment_id = %s",
        [version + 1, db_datetime_param(timezone.now()), coder_id, segment_id],
    )


def _version_bump(*, coder_id: int, segment_id: int, version: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(*_version_bump_statement(coder_id=coder_id, segment_id=segment_id, version=version))
    return version + 1


def coding_versions_bump(*, pairs: set[tuple[int, int]]) -> None:
    """For services outside this module that change codings (e.g. a code merge): bump each
    (coder id, segment id)'s version so clients holding the old set get 409 rather than undo it."""
    for coder_id, segment_id in sorted(pairs):
        SegmentCodingVersion.objects.filter(coder_id=coder_id, segment_id=segment_id).update(
            version=F("version") + 1, updated_at=timezone.now()
        )


# --- writes --------------------------------------------------------------------------------------------


def coding_set_replace(
    *,
    project_id: int,
    coder,
    segment: Segment | int,
    codings: list[CodingSpec],
    version: int,
    role: str | None = None,
) -> CodingSetResult:
    """Make the coder's codings on the segment exactly ``codings``.

    ``version`` is the version of the set the client last saw. If the set already is what is asked, nothing
    changes (whatever the version: a repeated request is a no-op). Otherwise a stale version is refused
    with 409 and the current version; a current one applies the difference (one audit event per coding
    removed or added) and bumps the version. ``segment``: the segment, or its id (then it is read with the
    rest, in the same round trip).
    """
    if len(codings) > MAX_CODINGS_PER_SET:
        raise ApplicationError(f"At most {MAX_CODINGS_PER_SET} codings per segment.")
    desired = {spec.key: spec for spec in codings}
    segment_id = segment if isinstance(segment, int) else segment.pk
    code_ids = sorted({spec.code_id for spec in desired.values()})
    with transaction.atomic(), connection.cursor() as cursor:
        # One round trip for the reads and locks (annotate.core.sql): the segment (unless given), the
        # assignment (locked, claim renewed), the set's version (locked), the set, and the codes asked for.
        # A request refused by the checks after it rolls its locks and the claim's renewal back.
        statements = [
            *(
                [segment_statement(project_id=project_id, segment_id=segment_id)]
                if isinstance(segment, int)
                else []
            ),
            _assignment_touch_statement(project_id=project_id, coder=coder, segment_id=segment_id),
            _version_lock_statement(project_id=project_id, coder_id=coder.pk, segment_id=segment_id),
            coding_set_items_statement(coder_id=coder.pk, segment_id=segment_id),
        ]
        if code_ids:
            statements.append(_codes_statement(project_id=project_id, code_ids=code_ids))
        results = execute_batch(cursor, statements)
        if isinstance(segment, int):
            segment = segment_from_rows(results.pop(0), project_id=project_id)
        held, locked, items, *code_rows = results
        for spec in desired.values():
            _check_span(segment, spec.span)
        role = _check_role_and_segment(project_id=project_id, coder=coder, segment=segment, role=role)
        _assignment_held(held, project_id=project_id, coder=coder, segment=segment, role=role)
        current_version = locked[0][0]
        current = {_key(c): c for c in coding_set_items_from_rows(items)}
        if set(current) == set(desired):
            return CodingSetResult(
                codings=_sorted(current.values()), version=current_version, changed=False, segment=segment
            )
        if version != current_version:
            raise ConflictError(
                "Your codes on this segment changed since you loaded them (another tab or device?). "
                "Reload them and apply your change again.",
                extra={"version": current_version},
            )
        removed = [current[key] for key in current if key not in desired]
        added = [desired[key] for key in desired if key not in current]
        codes, codebook_version_id = _check_new_codes(
            code_rows[0] if code_rows else [], code_ids={spec.code_id for spec in added}
        )
        new_version = current_version + 1
        events = [
            {
                "actor": coder,
                "action": "coding.delete",
                "obj": coding,
                "before": coding_image(coding),
                "after": {"set_version": new_version},
            }
            for coding in removed
        ]
        if removed:
            Coding.objects.filter(pk__in=[c.pk for c in removed]).delete()
        writes = [_version_bump_statement(coder_id=coder.pk, segment_id=segment.pk, version=current_version)]
        created = []
        if added:
            if codebook_version_id is None:
                raise ApplicationError("This project's codebook has no version yet; add a code first.")
            now = timezone.now()
            created = [
                Coding(
                    project_id=project_id,
                    segment=segment,
                    code=codes[spec.code_id],
                    coder=coder,
                    codebook_version_id=codebook_version_id,
                    span_start=spec.span[0] if spec.span else None,
                    span_end=spec.span[1] if spec.span else None,
                    created_at=now,
                )
                for spec in added
            ]
            rows = [[getattr(coding, column) for column in _CODING_COLUMNS] for coding in created]
            writes.append(insert_statement(Coding, _CODING_COLUMNS, rows))
        _, *inserted = execute_batch(cursor, writes)
        for coding, (pk,) in zip(created, inserted[0] if inserted else [], strict=True):
            coding.pk = pk
            coding._state.adding = False
        events += [
            {
                "actor": coder,
                "action": "coding.create",
                "obj": coding,
                "after": {**coding_image(coding), "set_version": new_version},
            }
            for coding in created
        ]
        audit_record_many(project_id=project_id, events=events)
        kept = [c for key, c in current.items() if key in desired]
    return CodingSetResult(
        codings=_sorted([*kept, *created]), version=new_version, changed=True, segment=segment
    )


_CODING_COLUMNS = (
    "project_id",
    "segment_id",
    "code_id",
    "coder_id",
    "codebook_version_id",
    "span_start",
    "span_end",
    "created_at",
)


def _sorted(codings) -> list[Coding]:
    return sorted(codings, key=lambda c: (c.code_id, c.span_start or -1, c.span_end or -1, c.pk))


def coding_create(
    *, project_id: int, coder, segment: Segment, code: Code, span: tuple[int, int] | None = None
) -> tuple[Coding, bool]:
    """Apply a code. Idempotent: applying the same code (and span) again returns the existing coding and
    records nothing. Returns ``(coding, created)``."""
    if code.codebook.project_id != project_id:
        raise ApplicationError("That code belongs to another project's codebook.")
    _check_span(segment, span)
    span_start, span_end = span if span is not None else (None, None)
    lookup = {
        "coder": coder,
        "segment": segment,
        "code": code,
        "span_start": span_start,
        "span_end": span_end,
    }
    with transaction.atomic():
        _check_coder(project_id=project_id, coder=coder, segment=segment)
        version = _version_lock(project_id=project_id, coder_id=coder.pk, segment_id=segment.pk)
        existing = Coding.objects.filter(**lookup).first()
        if existing is not None:
            return existing, False
        with connection.cursor() as cursor:
            cursor.execute(*_codes_statement(project_id=project_id, code_ids=[code.pk]))
            _, codebook_version_id = _check_new_codes(cursor.fetchall(), code_ids={code.pk})
        try:
            with transaction.atomic():
                coding = Coding.objects.create(
                    project_id=project_id, codebook_version_id=codebook_version_id, **lookup
                )
        except IntegrityError:  # pragma: no cover - the version lock serialises writers of this set
            existing = Coding.objects.filter(**lookup).first()
            if existing is None:
                raise
            return existing, False
        new_version = _version_bump(coder_id=coder.pk, segment_id=segment.pk, version=version)
        audit_record_many(
            project_id=project_id,
            events=[
                {
                    "actor": coder,
                    "action": "coding.create",
                    "obj": coding,
                    "after": {**coding_image(coding), "set_version": new_version},
                }
            ],
        )
    return coding, True


def coding_delete(*, coding: Coding, actor) -> None:
    """Remove one's own coding (the audit event keeps what it was)."""
    if coding.coder_id != actor.pk:
        raise ApplicationError("You can only remove your own codings.", status=403)
    segment = Segment.objects.select_related("document").get(pk=coding.segment_id)
    with transaction.atomic():
        _check_coder(project_id=coding.project_id, coder=actor, segment=segment)
        version = _version_lock(project_id=coding.project_id, coder_id=actor.pk, segment_id=segment.pk)
        locked = Coding.objects.filter(pk=coding.pk).first()
        if locked is None:
            return
        new_version = _version_bump(coder_id=actor.pk, segment_id=segment.pk, version=version)
        audit_record_many(
            project_id=locked.project_id,
            events=[
                {
                    "actor": actor,
                    "action": "coding.delete",
                    "obj": locked,
                    "before": coding_image(locked),
                    "after": {"set_version": new_version},
                }
            ],
        )
        locked.delete()
