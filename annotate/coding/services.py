"""Writes of codings. Each change writes its audit event (with before/after) in the same transaction."""

from django.db import IntegrityError, transaction

from annotate.audit.services import audit_record
from annotate.codebook.models import Code
from annotate.codebook.selectors import codebook_current_version
from annotate.core.exceptions import ApplicationError
from annotate.documents.models import Segment
from annotate.projects.models import Membership
from annotate.projects.permissions import CODERS

from .models import Coding


def coding_image(coding: Coding) -> dict:
    return {
        "segment": coding.segment_id,
        "code": coding.code_id,
        "coder": coding.coder_id,
        "codebook_version": coding.codebook_version_id,
        "span": [coding.span_start, coding.span_end] if coding.span_start is not None else None,
    }


def _validate(*, project_id: int, coder, segment: Segment, code: Code, span: tuple[int, int] | None) -> None:
    role = Membership.objects.filter(project_id=project_id, user=coder).values_list("role", flat=True).first()
    if role not in CODERS:
        raise ApplicationError("Only coders, adjudicators and owners of this project can code.", status=403)
    if segment.document.project_id != project_id:
        raise ApplicationError("That segment belongs to another project.")
    if not segment.codable:
        raise ApplicationError("This segment is context (e.g. an interviewer's turn) and is not coded.")
    if code.codebook.project_id != project_id:
        raise ApplicationError("That code belongs to another project's codebook.")
    if not code.is_active:
        raise ApplicationError(f"The code {code.name!r} is deactivated; it can no longer be applied.")
    if span is not None:
        start, end = span
        if not (segment.start_offset <= start < end <= segment.end_offset):
            raise ApplicationError(
                f"The span [{start}, {end}) must lie inside its segment "
                f"[{segment.start_offset}, {segment.end_offset}) and not be empty."
            )


def coding_create(
    *, project_id: int, coder, segment: Segment, code: Code, span: tuple[int, int] | None = None
) -> tuple[Coding, bool]:
    """Apply a code. Idempotent: applying the same code (and span) again returns the existing coding and
    records nothing. Returns ``(coding, created)``."""
    _validate(project_id=project_id, coder=coder, segment=segment, code=code, span=span)
    span_start, span_end = span if span is not None else (None, None)
    lookup = {
        "coder": coder,
        "segment": segment,
        "code": code,
        "span_start": span_start,
        "span_end": span_end,
    }
    existing = Coding.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            version = codebook_current_version(codebook=code.codebook)
            coding = Coding.objects.create(project_id=project_id, codebook_version=version, **lookup)
            audit_record(
                project_id=project_id,
                actor=coder,
                action="coding.create",
                obj=coding,
                after=coding_image(coding),
            )
    except IntegrityError:
        # A concurrent identical request won the race: the coding exists, which is what was asked.
        existing = Coding.objects.filter(**lookup).first()
        if existing is None:
            raise
        return existing, False
    return coding, True


def coding_delete(*, coding: Coding, actor) -> None:
    """Remove one's own coding (the audit event keeps what it was)."""
    if coding.coder_id != actor.pk:
        raise ApplicationError("You can only remove your own codings.", status=403)
    with transaction.atomic():
        locked = Coding.objects.select_for_update().filter(pk=coding.pk).first()
        if locked is None:
            return
        audit_record(
            project_id=locked.project_id,
            actor=actor,
            action="coding.delete",
            obj=locked,
            before=coding_image(locked),
        )
        locked.delete()
