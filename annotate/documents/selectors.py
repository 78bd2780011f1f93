from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from rest_framework.exceptions import NotFound

from annotate.core.sql import columns, instance_from_row

from .models import Document, ImportJob, Segment


def document_list(*, project_id: int) -> QuerySet[Document]:
    return (
        Document.objects.filter(project_id=project_id)
        .select_related("case")
        .defer("text")
        .annotate(
            segment_count=Count("segments"), codable_count=Count("segments", filter=Q(segments__codable=True))
        )
        .order_by("analysis_order", "id")
    )


def document_get(*, project_id: int, document_id: int) -> Document:
    document = Document.objects.select_related("case").filter(project_id=project_id, pk=document_id).first()
    if document is None:
        raise NotFound("Document not found in this project.")
    return document


def segment_list(*, document: Document) -> QuerySet[Segment]:
    return Segment.objects.filter(document=document).order_by("position")


def segment_statement(*, project_id: int, segment_id: int) -> tuple[str, list[int]]:
    """The statement behind ``segment_get``, for callers that batch it (``segment_from_rows`` reads it)."""
    return (
        f"SELECT {columns(Segment, 's')} FROM documents_segment s "  # noqa: S608
        "JOIN documents_document d ON d.id = s.document_id WHERE s.id = %s AND d.project_id = %s",
        [segment_id, project_id],
    )


def segment_from_rows(rows, *, project_id: int) -> Segment:
    if not rows:
        raise NotFound("Segment not found in this project.")
    segment = instance_from_row(Segment, rows[0])
    segment.document = Document.from_db(
        connection.alias, ["id", "project_id"], [segment.document_id, project_id]
    )
    return segment


def segment_get(*, project_id: int, segment_id: int) -> Segment:
    """The segment, with its document attached but the document's text deferred (loaded on first use:
    only callers converting UTF-16 offsets need it). Hand-written SQL, as each code change runs it."""
    with connection.cursor() as cursor:
        cursor.execute(*segment_statement(project_id=project_id, segment_id=segment_id))
        return segment_from_rows(cursor.fetchall(), project_id=project_id)


def import_job_list(*, project_id: int) -> QuerySet[ImportJob]:
    """The project's imports, newest first, without their (possibly long) per-file reports."""
    return (
        ImportJob.objects.filter(project_id=project_id)
        .defer("report", "files")
        .order_by("-created_at", "-id")
    )


def import_job_get(*, project_id: int, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(project_id=project_id, pk=job_id).first()
    if job is None:
        raise NotFound("Import not found in this project.")
    return job


def document_speakers(*, document) -> list[dict]:
    """Each speaker of a transcript: their turns, how many are codable (the others are context), and
    the codings on them, in order of first appearance."""
    return list(
        # django-stubs rejects an annotation named as a reverse relation ("codings"); Django allows it.
        Segment.objects.filter(document=document)  # type: ignore[no-redef]
        .exclude(speaker="")
        .values("speaker")
        .annotate(
            first=Min("position"),
            turns=Count("id", distinct=True),
            codable=Count("id", filter=Q(codable=True), distinct=True),
            codings=Count("codings"),
        )
        .order_by("first")
        .values("speaker", "turns", "codable", "codings")
    )
