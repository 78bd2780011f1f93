"""Exports and REFI-QDA project imports, each a background job row (see ``annotate.core.models``).

- ``ExportJob``: one requested export file. The worker writes it under
  ``MEDIA_ROOT/exports/<project id>/`` (first as ``*.part``, renamed when complete, so a download never
  sees half a file) and records its size and row count. Requested with an audit event in the same
  transaction as the row.
- ``ProjectImportJob``: one uploaded ``.qdpx`` imported into an empty project, all or nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotate.core.models import BackgroundJob, JobStatus


class ExportKind(models.TextChoices):
    CODINGS = "codings", "Codings (one row per coding)"
    MATRIX = "matrix", "Code × case matrix"
    QUOTATIONS = "quotations", "Quotations per code"
    QDPX = "qdpx", "REFI-QDA project (.qdpx)"
    QDC = "qdc", "REFI-QDA codebook (.qdc)"
    ANALYSIS_REPORT = "analysis_report", "Agreement and saturation report"
    AUDIT = "audit", "Audit trail with chain hashes"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    JSONL = "jsonl", "JSON Lines"
    HTML = "html", "HTML report"
    MD = "md", "Markdown report"
    QDPX = "qdpx", "REFI-QDA project"
    QDC = "qdc", "REFI-QDA codebook"


# Which formats each kind can be written in (the first is the default).
KIND_FORMATS: dict[str, tuple[str, ...]] = {
    ExportKind.CODINGS: (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSONL),
    ExportKind.MATRIX: (ExportFormat.CSV, ExportFormat.HTML, ExportFormat.MD),
    ExportKind.QUOTATIONS: (ExportFormat.CSV, ExportFormat.HTML, ExportFormat.MD),
    ExportKind.QDPX: (ExportFormat.QDPX,),
    ExportKind.QDC: (ExportFormat.QDC,),
    ExportKind.ANALYSIS_REPORT: (ExportFormat.HTML,),
    ExportKind.AUDIT: (ExportFormat.CSV, ExportFormat.JSONL),
}


class ExportJob(BackgroundJob):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="export_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    file_path = models.CharField(
        max_length=255, blank=True, help_text="Relative to MEDIA_ROOT; set when done."
    )
    file_name = models.CharField(max_length=255, blank=True, help_text="The name the download is offered as.")
    size_bytes = models.PositiveBigIntegerField(default=0)
    row_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="export_job_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=ExportKind.values), name="export_job_kind_valid"),
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values), name="export_job_format_valid"
            ),
        ]
        indexes = [models.Index(fields=["project", "created_by"], name="export_job_project_user_idx")]

    def __str__(self) -> str:
        return f"export {self.pk} {self.kind}.{self.format} ({self.status})"


class ProjectImportJob(BackgroundJob):
    """A ``.qdpx`` upload waiting in ``MEDIA_ROOT/<upload_path>`` (deleted when the job ends)."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="qdpx_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    upload_path = models.CharField(max_length=255, help_text="Relative to MEDIA_ROOT.")
    file_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="project_import_job_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"qdpx import {self.pk} ({self.status})"
