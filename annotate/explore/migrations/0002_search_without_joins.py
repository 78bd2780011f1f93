"""The search index carries what a search filters and orders its matches by, so that a search reads the
index alone (see ``SegmentSearch``): the segment's transcript, case, analysis order, position and role.

PostgreSQL: the columns are filled by rebuilding the table (an UPDATE of every row would leave a dead
copy of each behind it), and the triggers now keep them: the segments' triggers copy them, and a trigger
on ``documents_document`` follows a transcript to another case or analysis order.

The ``vector`` is also moved out of the rows, into the table's TOAST table. A search visits the row of
every segment it matches; with its vector in line (about 1 KB), a row shares its 8 KB page with 8
others, so a word found in 7,000 of 100,000 segments read half the table's pages (47 MB), and as soon as
other reads had pushed those out of PostgreSQL's buffers, the search doubled in time. Out of line, the
rows are about 120 bytes and the whole table is 12 MB. The index answers a word or prefix without reading
the vector (only a phrase rechecks it). PostgreSQL moves a value out of line only from a row of about
2 KB (``TOAST_TUPLE_THRESHOLD``), whatever the table's ``toast_tuple_target`` (that says how far to shrink
it then): ``toast_filler``, 2 KB of spaces, makes every row that long, and is itself compressed to about
35 bytes once the vector is out (``toast_tuple_target`` 128: shrink the row below that).

SQLite keeps its FTS5 table; its copy of this table stays empty.
"""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import vendor_sql

_COLUMNS = "segment_id, project_id, vector, document_id, case_id, analysis_order, position, codable"
_ROWS_OF_SEGMENTS = """
    SELECT s.id, d.project_id,
           explore_search_vector(substr(d.text, s.start_offset + 1, s.end_offset - s.start_offset)),
           d.id, d.case_id, d.analysis_order, s.position, s.codable
"""

POSTGRESQL = f"""
ALTER TABLE explore_segmentsearch ADD COLUMN toast_filler text NOT NULL DEFAULT repeat(' ', 2048);
ALTER TABLE explore_segmentsearch ALTER COLUMN vector SET STORAGE EXTERNAL;
ALTER TABLE explore_segmentsearch SET (toast_tuple_target = 128);
CREATE TEMPORARY TABLE explore_segmentsearch_rebuilt ON COMMIT DROP AS
    SELECT x.segment_id, x.project_id, x.vector, d.id AS document_id, d.case_id, d.analysis_order,
           s.position, s.codable
    FROM explore_segmentsearch x
    JOIN documents_segment s ON s.id = x.segment_id
    JOIN documents_document d ON d.id = s.document_id;
DROP INDEX explore_segmentsearch_vector_gin;
TRUNCATE explore_segmentsearch;
INSERT INTO explore_segmentsearch ({_COLUMNS})
    SELECT {_COLUMNS} FROM explore_segmentsearch_rebuilt ORDER BY project_id, document_id, position;
CREATE INDEX explore_segmentsearch_vector_gin ON explore_segmentsearch USING gin (vector);
ANALYZE explore_segmentsearch;

CREATE OR REPLACE FUNCTION explore_segments_indexed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO explore_segmentsearch ({_COLUMNS})
    {_ROWS_OF_SEGMENTS}
    FROM new_segments s JOIN documents_document d ON d.id = s.document_id
    ON CONFLICT (segment_id) DO UPDATE SET project_id = EXCLUDED.project_id, vector = EXCLUDED.vector,
        document_id = EXCLUDED.document_id, case_id = EXCLUDED.case_id,
        analysis_order = EXCLUDED.analysis_order, position = EXCLUDED.position, codable = EXCLUDED.codable;
    RETURN NULL;
END $$;
-- The text is indexed again only when the segment's offsets or transcript change (its text then does).
CREATE OR REPLACE FUNCTION explore_segment_reindexed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE explore_segmentsearch x
    SET project_id = d.project_id, document_id = d.id, case_id = d.case_id,
        analysis_order = d.analysis_order, position = NEW.position, codable = NEW.codable,
        vector = CASE
            WHEN (NEW.start_offset, NEW.end_offset, NEW.document_id)
                 IS DISTINCT FROM (OLD.start_offset, OLD.end_offset, OLD.document_id)
            THEN explore_search_vector(substr(d.text, NEW.start_offset + 1, NEW.end_offset - NEW.start_offset))
            ELSE x.vector END
    FROM documents_document d WHERE d.id = NEW.document_id AND x.segment_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER explore_segment_reindexed ON documents_segment;
CREATE TRIGGER explore_segment_reindexed
    AFTER UPDATE OF start_offset, end_offset, document_id, position, codable ON documents_segment
    FOR EACH ROW EXECUTE FUNCTION explore_segment_reindexed();

CREATE OR REPLACE FUNCTION explore_document_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE explore_segmentsearch
    SET project_id = NEW.project_id, case_id = NEW.case_id, analysis_order = NEW.analysis_order
    WHERE document_id = NEW.id;
    RETURN NULL;
END $$;
-- A transcript's save writes every column: only a real change touches its segments' rows.
CREATE TRIGGER explore_document_moved
    AFTER UPDATE OF project_id, case_id, analysis_order ON documents_document FOR EACH ROW
    WHEN ((OLD.project_id, OLD.case_id, OLD.analysis_order)
          IS DISTINCT FROM (NEW.project_id, NEW.case_id, NEW.analysis_order))
    EXECUTE FUNCTION explore_document_moved();
"""  # noqa: S608 (the text is this module's constants)

# Back to migration 0001's triggers, before the columns go. (The rows keep their vectors out of line
# until they are next written.)
REVERSE_POSTGRESQL = """
ALTER TABLE explore_segmentsearch DROP COLUMN toast_filler;
ALTER TABLE explore_segmentsearch ALTER COLUMN vector SET STORAGE EXTENDED;
ALTER TABLE explore_segmentsearch RESET (toast_tuple_target);
DROP TRIGGER IF EXISTS explore_document_moved ON documents_document;
DROP FUNCTION IF EXISTS explore_document_moved();
CREATE OR REPLACE FUNCTION explore_segments_indexed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO explore_segmentsearch (segment_id, project_id, vector)
    SELECT s.id, d.project_id,
           explore_search_vector(substr(d.text, s.start_offset + 1, s.end_offset - s.start_offset))
    FROM new_segments s JOIN documents_document d ON d.id = s.document_id
    ON CONFLICT (segment_id) DO UPDATE SET project_id = EXCLUDED.project_id, vector = EXCLUDED.vector;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION explore_segment_reindexed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE explore_segmentsearch x
    SET project_id = d.project_id,
        vector = explore_search_vector(substr(d.text, NEW.start_offset + 1, NEW.end_offset - NEW.start_offset))
    FROM documents_document d WHERE d.id = NEW.document_id AND x.segment_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER explore_segment_reindexed ON documents_segment;
CREATE TRIGGER explore_segment_reindexed AFTER UPDATE OF start_offset, end_offset, document_id
    ON documents_segment FOR EACH ROW EXECUTE FUNCTION explore_segment_reindexed();
"""


def _added(name: str, field: models.Field) -> migrations.AddField:
    # The default only fills the rows already there for the moment (PostgreSQL then rebuilds them).
    return migrations.AddField(model_name="segmentsearch", name=name, field=field, preserve_default=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("documents", "0006_job_lease_and_outbox"),
        ("explore", "0001_search_index"),
    ]

    operations = [
        _added(
            "document",
            models.ForeignKey(
                db_constraint=False,
                default=0,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="documents.document",
            ),
        ),
        _added(
            "case",
            models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=0,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cases.case",
            ),
        ),
        _added("analysis_order", models.IntegerField(default=0)),
        _added("position", models.IntegerField(default=0)),
        _added("codable", models.BooleanField(default=False)),
        vendor_sql(postgresql=POSTGRESQL, sqlite=[], reverse_postgresql=REVERSE_POSTGRESQL),
    ]
