from django.db import models


class SegmentSearch(models.Model):
    """The full-text index of segments on PostgreSQL: one row per segment, its text's ``tsvector`` in
    the column ``vector`` (declared by migration 0001, not here: only PostgreSQL has the type), with a GIN
    index. The database maintains the rows: triggers on ``documents_segment`` add, update and remove them
    as transcripts are imported, re-segmented or deleted, whatever code path writes the segments.

    On SQLite, the embedded default, this table stays empty and the FTS5 table ``explore_segment_fts``
    (rowid = segment id), maintained by the same triggers, is the index.
    """

    # No database constraints: the triggers own these rows, and the ORM's deletes of segments (which
    # know nothing of them) must not be held up by them.
    segment = models.OneToOneField(
        "documents.Segment",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    def __str__(self) -> str:
        return f"search index of segment {self.segment_id}"
