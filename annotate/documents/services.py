"""Writes of documents (transcripts) and their segments.

A document and its segments are created together, in one transaction, with one audit event that records
the document and a digest of its segmentation (count and a hash of the offsets), so the trail stays
readable for a 1,000-segment transcript while still pinning down every segment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError
from annotate.core.locks import lock_row
from annotate.core.signals import send_and_collect
from annotate.parsing.normalise import normalise_text
from annotate.parsing.results import ParsedSegment

from .models import Document, Segment, SourceFormat
from .signals import document_created, document_deleting, turns_joining_coding, turns_leaving_coding

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

    @classmethod
    def from_parsed(cls, segment: ParsedSegment) -> SegmentSpec:
        """The segment as the parser found it (an import, the demo's transcripts)."""
        return cls(
            start=segment.start,
            end=segment.end,
            speaker=segment.speaker or "",
            codable=segment.codable,
            start_time_ms=segment.start_time_ms,
            end_time_ms=segment.end_time_ms,
        )


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
        # The related objects were passed in as instances: no need for a query each to check they exist.
        document.full_clean(
            exclude=["text", "project", "case", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
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
        # A transcript that arrives after the assignment plan was applied joins it (interviews often
        # continue while the first ones are coded: that is what saturation is watched for).
        send_and_collect(document_created, sender=Document, document=document, actor=actor)
    return document


def document_update(*, document: Document, actor, data: dict) -> Document:
    """Change a transcript's metadata (title, case, interview date, analysis order); never its text."""
    with transaction.atomic():
        document = lock_row(Document, document.pk, what="transcript")
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


def _interviewers_now(document: Document) -> list[str]:
    """The speakers whose turns in the transcript are context (not coded)."""
    return sorted(
        set(
            Segment.objects.filter(document=document, codable=False)
            .exclude(speaker="")
            .values_list("speaker", flat=True)
        )
    )


def document_speaker_roles_set(*, document: Document, actor, interviewers: Sequence[str]) -> dict[str, Any]:
    """Say who interviewed in a transcript: their turns become context (shown, not coded), every other
    speaker's turns codable. Never loses a coding: the apps holding work on the turns that would become
    context refuse the change (409, naming how many: codings, submitted units); their planned units leave
    the plan, and turns that become codable join it (``signals``). One transaction, with its audit event."""
    wanted = {str(name).strip() for name in interviewers}
    with transaction.atomic():
        document = lock_row(Document, document.pk, what="transcript")
        segments = Segment.objects.filter(document=document).exclude(speaker="")
        speakers = set(segments.values_list("speaker", flat=True))
        unknown = sorted(wanted - speakers)
        if unknown:
            raise ApplicationError(
                f"No turn of {', '.join(map(repr, unknown))} in this transcript; its speakers are "
                f"{', '.join(map(repr, sorted(speakers))) or '(none)'}."
            )
        before = _interviewers_now(document)
        to_context = segments.filter(codable=True, speaker__in=wanted)
        to_codable = segments.filter(codable=False).exclude(speaker__in=wanted)
        leaving = list(to_context.values_list("id", flat=True))
        withdrawn = {}
        if leaving:
            withdrawn = send_and_collect(
                turns_leaving_coding,
                sender=Document,
                document=document,
                segments=Segment.objects.filter(pk__in=leaving),
                speakers=sorted(wanted),
                actor=actor,
            )
        turned_context = Segment.objects.filter(pk__in=leaving).update(codable=False)
        turned_codable = to_codable.update(codable=True)
        joined = (
            send_and_collect(turns_joining_coding, sender=Document, document=document, actor=actor)
            if turned_codable
            else {}
        )
        change = {
            "interviewers": _interviewers_now(document),
            "turns_to_context": turned_context,
            "turns_to_codable": turned_codable,
            "units_withdrawn": withdrawn.get("units_withdrawn", 0),
            "units_added": joined.get("units_added", 0),
        }
        if turned_context or turned_codable:
            audit_record(
                project_id=document.project_id,
                actor=actor,
                action="document.speaker_roles",
                obj=document,
                before={"interviewers": before},
                after=change,
            )
    return change


def document_delete(*, document: Document, actor, reason: str = "") -> None:
    """Remove a transcript that nobody has coded yet (codings are never lost silently): the apps holding
    work on it refuse (codings, memos on its segments, a finished unit: 409); if it is in the assignment
    plan with no unit finished, its units leave the plan with it (``signals.document_deleting``)."""
    with transaction.atomic():
        document = lock_row(Document, document.pk, what="transcript")
        released = send_and_collect(document_deleting, sender=Document, document=document, actor=actor)
        before = snapshot(document, fields=DOCUMENT_FIELDS)
        before["segments"] = {"count": document.segments.count()}
        if released.get("planned_units"):
            before["planned_units"] = released["planned_units"]
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
