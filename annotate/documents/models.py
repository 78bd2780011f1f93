from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length

from annotate.core.models import BackgroundJob, JobStatus, TimeStampedModel


class SourceFormat(models.TextChoices):
    TXT = "txt", "Plain text"
    MD = "md", "Markdown"
    DOCX = "docx", "Word"
    PDF = "pdf", "PDF"
    VTT = "vtt", "WebVTT"
    SRT = "srt", "SubRip"
    CSV = "csv", "CSV"
    QDPX = "qdpx", "REFI-QDA project"
    API = "api", "Entered through the API"


class Document(TimeStampedModel):
    """A transcript. ``text`` is normalised (UTF-8, LF, NFC) and is exactly what offsets refer to;
    offsets are Unicode code points, half-open [start, end)."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=255)
    text = models.TextField()
    text_length = models.PositiveIntegerField(help_text="len(text) in code points; checked by the database.")
    source_filename = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=10, choices=SourceFormat.choices)
    sha256 = models.CharField(max_length=64)
    interview_date = models.DateField(null=True, blank=True)
    analysis_order = models.PositiveIntegerField(help_text="Position in the analysis (saturation) order.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["analysis_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="document_unique_content_in_project"),
            models.CheckConstraint(
                condition=Q(text_length=Length("text")), name="document_text_length_exact"
            ),
            models.CheckConstraint(
                condition=Q(analysis_order__gte=1), name="document_analysis_order_positive"
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex"),
            models.CheckConstraint(
                condition=Q(source_format__in=SourceFormat.values), name="document_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Segment(models.Model):
    """A unit of coding: a speaker turn (or paragraph, sentence…) of a document.

    Its text is always ``document.text[start_offset:end_offset]``; the segment stores no copy, and a
    database trigger (migration 0002) rejects offsets beyond the document's text.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="segments")
    position = models.PositiveIntegerField()
    speaker = models.CharField(max_length=200, blank=True)
    start_offset = models.PositiveIntegerField()
    end_offset = models.PositiveIntegerField()
    codable = models.BooleanField(default=True, help_text="False for interviewer turns kept as context.")
    start_time_ms = models.PositiveBigIntegerField(null=True, blank=True)
    end_time_ms = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="segment_position_unique_in_document"
            ),
            models.CheckConstraint(condition=Q(end_offset__gt=F("start_offset")), name="segment_not_empty"),
            models.CheckConstraint(
                condition=Q(start_time_ms__isnull=True)
                | Q(end_time_ms__isnull=True)
                | Q(end_time_ms__gte=F("start_time_ms")),
                name="segment_times_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.position}"

    @property
    def text(self) -> str:
        return self.document.text[self.start_offset : self.end_offset]


class ImportJob(BackgroundJob):
    """One upload of transcript files (single files and/or .zip batches), imported in the background.

    The uploaded bytes wait for the worker in ``MEDIA_ROOT/<upload_dir>/`` (written by the request, deleted
    when the job ends); the broker message carries only the job id. ``report`` has one entry per file:
    ``{"filename", "status": "imported" | "duplicate" | "failed", "message", "document", "case", ...}``.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    options = models.JSONField(default=dict, help_text="ImportOptions.to_dict(): what the preview showed.")
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Every file goes to this case; empty: the case is taken from each file's name.",
    )
    analysis_order = models.PositiveIntegerField(
        null=True, blank=True, help_text="Analysis order of the first document; empty: after the last one."
    )
    upload_dir = models.CharField(max_length=255, help_text="Relative to MEDIA_ROOT.")
    files = models.JSONField(default=list, help_text="The uploads: [{'name', 'stored', 'size'}].")
    files_total = models.PositiveIntegerField(default=0)
    files_imported = models.PositiveIntegerField(default=0)
    files_duplicate = models.PositiveIntegerField(default=0)
    files_failed = models.PositiveIntegerField(default=0)
    segments_imported = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="import_job_status_valid"),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"
