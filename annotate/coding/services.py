"""Writes of single codings (``POST codings/``, ``DELETE codings/<id>/``). Each change writes its audit
event (with before/after) in the same transaction. The rules they share with the coding loop's set
``PUT`` (who may code, spans, codes, the set's version) are in ``rules``."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from annotate.audit.services import audit_record_many
from annotate.codebook.models import Code
from annotate.core.exceptions import ApplicationError
from annotate.documents.models import Segment

from .models import Coding
from .rules import (
    check_coder,
    check_new_codes,
    check_span,
    codes_statement,
    coding_image,
    version_bump,
    version_lock,
)


def coding_create(
    *, project_id: int, coder, segment: Segment, code: Code, span: tuple[int, int] | None = None
) -> tuple[Coding, bool]:
    """Apply a code. Idempotent: applying the same code (and span) again returns the existing coding and
    records nothing. Returns ``(coding, created)``."""
    if code.codebook.project_id != project_id:
        raise ApplicationError("That code belongs to another project's codebook.")
    check_span(segment, span)
    span_start, span_end = span if span is not None else (None, None)
    lookup = {
        "coder": coder,
        "segment": segment,
        "code": code,
        "span_start": span_start,
        "span_end": span_end,
    }
    with transaction.atomic():
        check_coder(project_id=project_id, coder=coder, segment=segment)
        version = version_lock(project_id=project_id, coder_id=coder.pk, segment_id=segment.pk)
        existing = Coding.objects.filter(**lookup).first()
        if existing is not None:
            return existing, False
        with connection.cursor() as cursor:
            cursor.execute(*codes_statement(project_id=project_id, code_ids=[code.pk]))
            _, codebook_version_id = check_new_codes(cursor.fetchall(), code_ids={code.pk})
        assert codebook_version_id is not None  # a code was given: the version in force
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
        new_version = version_bump(coder_id=coder.pk, segment_id=segment.pk, version=version)
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
        check_coder(project_id=coding.project_id, coder=actor, segment=segment)
        version = version_lock(project_id=coding.project_id, coder_id=actor.pk, segment_id=segment.pk)
        locked = Coding.objects.filter(pk=coding.pk).first()
        if locked is None:
            return
        new_version = version_bump(coder_id=actor.pk, segment_id=segment.pk, version=version)
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
