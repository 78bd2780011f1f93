from django.db import models


class SegmentSearch(models.Model):
    """The full-text index of segments on PostgreSQL: one row per segment, its text's ``tsvector`` in
    the column ``vector`` (declared by migration 0001, not here: only PostgreSQL has the type), with a GIN
    index, kept out of line (migration 0002 and its ``toast_filler`` column say why). The database
    maintains the rows: triggers on ``documents_segment`` add, update and remove them as transcripts are
    imported, re-segmented or deleted, whatever code path writes the segments, and a trigger on
    ``documents_document`` follows a transcript's move to another case or analysis order.

    The row also carries what a search filters and orders its matches by (the segment's transcript, case,
    analysis order, position and role), so that a search reads this table alone: joined to the segments
    and transcripts, a word found in thousands of segments cost a scan of every segment of the database.

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
    # Indexed: the trigger on documents_document finds a transcript's rows by it.
    document = models.ForeignKey(
        "documents.Document", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    analysis_order = models.IntegerField()
    position = models.IntegerField()
    codable = models.BooleanField()

    def __str__(self) -> str:
        return f"search index of segment {self.segment_id}"
