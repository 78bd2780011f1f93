"""Writes of documents (transcripts) and their segments.

A document and its segments are created together, in one transaction, with one audit event that records
the document and a digest of its segmentation (count and a hash of the offsets), so the trail stays
readable for a 1,000-segment transcript while still pinning down every segment.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError
from annotate.documents.parsing.normalise import normalise_text

from .models import Document, Segment, SourceFormat

DOCUMENT_FIELDS = [
    "title",
    "case",
    "source_filename",
    "source_format",
    "sha256",
    "interview_date",
    "analysis_order",
    "text_length",
]


@dataclass(frozen=True)
class SegmentSpec:
    start: int
    end: int
    speaker: str = ""
    codable: bool = True
    start_time_ms: int | None = None
    end_time_ms: int | None = None


def segmentation_digest(segments: Sequence[SegmentSpec]) -> str:
    h = hashlib.sha256()
    for s in segments:
        h.update(f"{s.start}:{s.end}:{int(s.codable)}:{s.speaker}\n".encode())
    return h.hexdigest()


def paragraph_segments(text: str) -> list[SegmentSpec]:
    """One segment per paragraph (blank-line separated), trimmed of surrounding whitespace."""
    segments, position = [], 0
    for block in text.split("\n\n"):
        stripped = block.strip()
        if stripped:
            start = position + block.index(stripped)
            segments.append(SegmentSpec(start=start, end=start + len(stripped)))
        position += len(block) + 2
    return segments


def _validate_segments(text: str, segments: Sequence[SegmentSpec]) -> None:
    previous_end = 0
    for index, s in enumerate(segments):
        if not (0 <= s.start < s.end <= len(text)):
            raise ApplicationError(
                f"Segment {index} has offsets [{s.start}, {s.end}) outside the text (length {len(text)})."
            )
        if s.start < previous_end:
            raise ApplicationError(
                f"Segment {index} overlaps the segment before it; segments must be in order."
            )
        previous_end = s.end


def document_create(
    *,
    project,
    actor,
    case,
    title: str,
    text: str,
    source_format: str = SourceFormat.API,
    source_filename: str = "",
    sha256: str | None = None,
    interview_date: dt.date | None = None,
    analysis_order: int | None = None,
    segments: Iterable[SegmentSpec] | None = None,
    normalise: bool = True,
    reason: str = "",
) -> Document:
    """Create a transcript and its segments atomically. ``sha256`` defaults to the text's digest."""
    if case.project_id != project.id:
        raise ApplicationError("That case belongs to another project.")
    if normalise:
        text = normalise_text(text)
    if not text.strip():
        raise ApplicationError("The transcript is empty; there is nothing to code.")
    specs = list(segments) if segments is not None else paragraph_segments(text)
    if not specs:
        raise ApplicationError("The transcript has no segments.")
    _validate_segments(text, specs)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        duplicate = (
            Document.objects.filter(project=project, sha256=digest).values_list("title", flat=True).first()
        )
        if duplicate is not None:
            raise ApplicationError(
                f"This transcript is already in the project (as {duplicate!r}).", status=409
            )
        if analysis_order is None:
            analysis_order = (
                Document.objects.filter(project=project).aggregate(m=Max("analysis_order"))["m"] or 0
            ) + 1
        document = Document(
            project=project,
            case=case,
            title=title,
            text=text,
            text_length=len(text),
            source_filename=source_filename,
            source_format=source_format,
            sha256=digest,
            interview_date=interview_date,
            analysis_order=analysis_order,
            created_by=actor,
        )
        document.full_clean(exclude=["text"], validate_unique=False, validate_constraints=False)
        document.save()
        Segment.objects.bulk_create(
            [
                Segment(
                    document=document,
                    position=i,
                    speaker=s.speaker[:200],
                    start_offset=s.start,
                    end_offset=s.end,
                    codable=s.codable,
                    start_time_ms=s.start_time_ms,
                    end_time_ms=s.end_time_ms,
                )
                for i, s in enumerate(specs)
            ],
            batch_size=2000,
        )
        after = snapshot(document, fields=DOCUMENT_FIELDS)
        after["segments"] = {
            "count": len(specs),
            "codable": sum(s.codable for s in specs),
            "digest": segmentation_digest(specs),
        }
        audit_record(
            project_id=project.id,
            actor=actor,
            action="document.create",
            obj=document,
            after=after,
            reason=reason,
        )
    return document


def document_update(*, document: Document, actor, data: dict) -> Document:
    """Change a transcript's metadata (title, case, interview date, analysis order); never its text."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        before = snapshot(document, fields=DOCUMENT_FIELDS)
        if "case" in data:
            if data["case"].project_id != document.project_id:
                raise ApplicationError("That case belongs to another project.")
            document.case = data["case"]
        for field in ("title", "interview_date", "analysis_order"):
            if field in data:
                setattr(document, field, data[field])
        document.full_clean(exclude=["text"], validate_unique=False, validate_constraints=False)
        document.save()
        after = snapshot(document, fields=DOCUMENT_FIELDS)
        if after != before:
            audit_record(
                project_id=document.project_id,
                actor=actor,
                action="document.update",
                obj=document,
                before=before,
                after=after,
            )
    return document


def document_delete(*, document: Document, actor, reason: str = "") -> None:
    """Remove a transcript that nobody has coded yet (codings are never lost silently)."""
    from annotate.coding.models import Coding
    from annotate.memos.models import Memo

    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if Coding.objects.filter(segment__document=document).exists():
            raise ApplicationError("This transcript has codings; it cannot be deleted.", status=409)
        if Memo.objects.filter(segment__document=document).exists():
            raise ApplicationError(
                "This transcript has memos on its segments; delete them first.", status=409
            )
        before = snapshot(document, fields=DOCUMENT_FIELDS)
        before["segments"] = {"count": document.segments.count()}
        audit_record(
            project_id=document.project_id,
            actor=actor,
            action="document.delete",
            obj=document,
            before=before,
            reason=reason,
        )
        document.segments.all().delete()
        document.delete()
