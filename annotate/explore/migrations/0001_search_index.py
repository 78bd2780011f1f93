"""The full-text index of segments, kept by the database itself.

PostgreSQL: ``unaccent`` (a trusted extension), an IMMUTABLE wrapper around it so that it may build index
content, the ``vector`` column with a GIN index, and triggers on ``documents_segment`` that index new
segments (one statement per bulk insert, over its transition table), re-index moved ones and drop deleted
ones. The ``simple`` configuration: no stemming and no stop words, as transcripts come in many languages.

SQLite (the embedded default): an FTS5 table, accents and case folded by its ``unicode61`` tokenizer
(``remove_diacritics 2``), kept by row triggers. Note: on SQLite a migration that rebuilds
``documents_segment`` (an AlterField) drops these triggers; such a migration must create them again.

Segments already in the database are indexed here. A document's text never changes (documents 0002), so
a segment's indexed text changes only with its offsets.
"""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import vendor_sql

POSTGRESQL = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION explore_unaccent(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT unaccent('unaccent'::regdictionary, value) $$;
CREATE OR REPLACE FUNCTION explore_search_vector(value text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_tsvector('simple'::regconfig, explore_unaccent(value)) $$;

ALTER TABLE explore_segmentsearch ADD COLUMN vector tsvector NOT NULL;
CREATE INDEX explore_segmentsearch_vector_gin ON explore_segmentsearch USING gin (vector);

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
CREATE OR REPLACE FUNCTION explore_segments_unindexed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM explore_segmentsearch WHERE segment_id IN (SELECT id FROM old_segments);
    RETURN NULL;
END $$;
CREATE TRIGGER explore_segments_indexed AFTER INSERT ON documents_segment
    REFERENCING NEW TABLE AS new_segments FOR EACH STATEMENT EXECUTE FUNCTION explore_segments_indexed();
CREATE TRIGGER explore_segment_reindexed AFTER UPDATE OF start_offset, end_offset, document_id
    ON documents_segment FOR EACH ROW EXECUTE FUNCTION explore_segment_reindexed();
CREATE TRIGGER explore_segments_unindexed AFTER DELETE ON documents_segment
    REFERENCING OLD TABLE AS old_segments FOR EACH STATEMENT EXECUTE FUNCTION explore_segments_unindexed();

INSERT INTO explore_segmentsearch (segment_id, project_id, vector)
SELECT s.id, d.project_id, explore_search_vector(substr(d.text, s.start_offset + 1, s.end_offset - s.start_offset))
FROM documents_segment s JOIN documents_document d ON d.id = s.document_id;
"""

REVERSE_POSTGRESQL = """
DROP TRIGGER IF EXISTS explore_segments_indexed ON documents_segment;
DROP TRIGGER IF EXISTS explore_segment_reindexed ON documents_segment;
DROP TRIGGER IF EXISTS explore_segments_unindexed ON documents_segment;
DROP FUNCTION IF EXISTS explore_segments_indexed();
DROP FUNCTION IF EXISTS explore_segment_reindexed();
DROP FUNCTION IF EXISTS explore_segments_unindexed();
DROP INDEX IF EXISTS explore_segmentsearch_vector_gin;
ALTER TABLE explore_segmentsearch DROP COLUMN IF EXISTS vector;
DROP FUNCTION IF EXISTS explore_search_vector(text);
DROP FUNCTION IF EXISTS explore_unaccent(text);
"""

_SQLITE_INDEX_NEW = (
    "INSERT INTO explore_segment_fts (rowid, text) "
    "SELECT new.id, substr(d.text, new.start_offset + 1, new.end_offset - new.start_offset) "
    "FROM documents_document d WHERE d.id = new.document_id;"
)
SQLITE = [
    "CREATE VIRTUAL TABLE explore_segment_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER explore_segment_fts_insert AFTER INSERT ON documents_segment BEGIN "
    + _SQLITE_INDEX_NEW
    + " END",
    "CREATE TRIGGER explore_segment_fts_update AFTER UPDATE OF start_offset, end_offset, document_id "  # noqa: S608
    "ON documents_segment BEGIN DELETE FROM explore_segment_fts WHERE rowid = old.id; "
    + _SQLITE_INDEX_NEW
    + " END",
    "CREATE TRIGGER explore_segment_fts_delete AFTER DELETE ON documents_segment BEGIN "
    "DELETE FROM explore_segment_fts WHERE rowid = old.id; END",
    "INSERT INTO explore_segment_fts (rowid, text) "
    "SELECT s.id, substr(d.text, s.start_offset + 1, s.end_offset - s.start_offset) "
    "FROM documents_segment s JOIN documents_document d ON d.id = s.document_id",
]

REVERSE_SQLITE = [
    "DROP TRIGGER IF EXISTS explore_segment_fts_insert",
    "DROP TRIGGER IF EXISTS explore_segment_fts_update",
    "DROP TRIGGER IF EXISTS explore_segment_fts_delete",
    "DROP TABLE IF EXISTS explore_segment_fts",
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("documents", "0004_text_stored_uncompressed"),
        ("projects", "0003_coders_may_reopen"),
    ]

    operations = [
        migrations.CreateModel(
            name="SegmentSearch",
            fields=[
                (
                    "segment",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="documents.segment",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.project",
                    ),
                ),
            ],
        ),
        vendor_sql(
            postgresql=POSTGRESQL,
            sqlite=SQLITE,
            reverse_postgresql=REVERSE_POSTGRESQL,
            reverse_sqlite=REVERSE_SQLITE,
        ),
    ]
