from django.db.models import Count, Q, QuerySet
from rest_framework.exceptions import NotFound

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


def segment_get(*, project_id: int, segment_id: int) -> Segment:
    segment = (
        Segment.objects.select_related("document")
        .filter(document__project_id=project_id, pk=segment_id)
        .first()
    )
    if segment is None:
        raise NotFound("Segment not found in this project.")
    return segment


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
