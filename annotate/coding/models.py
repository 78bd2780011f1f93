from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Coding(models.Model):
    """One coder's application of one code to one segment, or to a span inside it.

    Spans are half-open code-point offsets into the document text, inside the segment (checked by a
    trigger on PostgreSQL and SQLite, migration 0002). At most one coding per (coder, segment, code, span).
    """

    # Indexed by coding_project_coder_idx, which starts with it.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="codings", db_index=False
    )
    segment = models.ForeignKey("documents.Segment", on_delete=models.PROTECT, related_name="codings")
    # Indexed by coding_code_segment_idx, which starts with it.
    code = models.ForeignKey(
        "codebook.Code", on_delete=models.PROTECT, related_name="codings", db_index=False
    )
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings")
    codebook_version = models.ForeignKey(
        "codebook.CodebookVersion", on_delete=models.PROTECT, related_name="+"
    )
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["segment_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(span_start__isnull=True, span_end__isnull=True)
                | Q(span_start__isnull=False, span_end__isnull=False, span_end__gt=F("span_start")),
                name="coding_span_both_or_neither_and_not_empty",
            ),
            models.UniqueConstraint(
                fields=["coder", "segment", "code"],
                condition=Q(span_start__isnull=True),
                name="coding_one_segment_level_per_coder_code",
            ),
            models.UniqueConstraint(
                fields=["coder", "segment", "code", "span_start", "span_end"],
                condition=Q(span_start__isnull=False),
                name="coding_one_per_coder_code_span",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "coder"], name="coding_project_coder_idx"),
            # A code's segments read from the index alone (retrieval, search by code), not from codings
            # scattered over the table; the project is included for the source's filter on it.
            models.Index(fields=["code", "segment"], include=["project"], name="coding_code_segment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.coder_id}:{self.code_id}@{self.segment_id}"


class SegmentCodingVersion(models.Model):
    """The version of one coder's set of codings on one segment: the optimistic-concurrency token of
    ``PUT …/segments/{id}/codings``. Bumped by every change to that set (whatever the endpoint); a client
    sends the version it last saw and a stale one is refused (409), so a slow network cannot silently
    undo a change. Per (coder, segment), it reveals nothing about colleagues' activity."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey("documents.Segment", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coder", "segment"], name="coding_version_one_per_coder_segment")
        ]

    def __str__(self) -> str:
        return f"{self.coder_id}@{self.segment_id} v{self.version}"
