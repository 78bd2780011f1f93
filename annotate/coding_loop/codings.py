"""Replacing a coder's set of codes on a unit (``PUT segments/<id>/codings/``): the coding loop's every step.
The rules it shares with single codings (who may code, spans, codes, the set's version) are
``annotate.coding.rules``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from annotate.audit.services import audit_record_many
from annotate.coding.models import Coding
from annotate.coding.rules import (
    MAX_CODINGS_PER_SET,
    CodingSpec,
    assignment_held,
    assignment_touch_statement,
    check_new_codes,
    check_role_and_segment,
    check_span,
    codes_statement,
    coding_image,
    coding_key,
    sorted_codings,
    version_bump_statement,
    version_lock_statement,
)
from annotate.coding.selectors import coding_set_items_from_rows, coding_set_items_statement
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.core.sql import execute_batch, insert_statement
from annotate.documents.models import Segment
from annotate.documents.selectors import segment_from_rows, segment_statement


@dataclass(frozen=True)
class CodingSetResult:
    codings: list[Coding]
    version: int
    changed: bool
    segment: Segment


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
            assignment_touch_statement(project_id=project_id, coder=coder, segment_id=segment_id),
            version_lock_statement(project_id=project_id, coder_id=coder.pk, segment_id=segment_id),
            coding_set_items_statement(coder_id=coder.pk, segment_id=segment_id),
        ]
        if code_ids:
            statements.append(codes_statement(project_id=project_id, code_ids=code_ids))
        results = execute_batch(cursor, statements)
        if isinstance(segment, int):
            segment = segment_from_rows(results.pop(0), project_id=project_id)
        held, locked, items, *code_rows = results
        assert locked is not None  # the set version's upsert returns its row
        for spec in desired.values():
            check_span(segment, spec.span)
        role = check_role_and_segment(project_id=project_id, coder=coder, segment=segment, role=role)
        assignment_held(held, project_id=project_id, coder=coder, segment=segment, role=role)
        current_version = locked[0][0]
        current = {coding_key(c): c for c in coding_set_items_from_rows(items)}
        if set(current) == set(desired):
            return CodingSetResult(
                codings=sorted_codings(current.values()),
                version=current_version,
                changed=False,
                segment=segment,
            )
        if version != current_version:
            raise ConflictError(
                "Your codes on this segment changed since you loaded them (another tab or device?). "
                "Reload them and apply your change again.",
                extra={"version": current_version},
            )
        removed = [current[key] for key in current if key not in desired]
        added = [desired[key] for key in desired if key not in current]
        codes, codebook_version_id = check_new_codes(
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
        writes = [version_bump_statement(coder_id=coder.pk, segment_id=segment.pk, version=current_version)]
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
        new_ids = inserted[0] if inserted else []
        assert new_ids is not None  # INSERT … RETURNING id
        for coding, (pk,) in zip(created, new_ids, strict=True):
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
        codings=sorted_codings([*kept, *created]), version=new_version, changed=True, segment=segment
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
